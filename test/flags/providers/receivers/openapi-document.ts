/**
 * Checking requests against an OpenAPI 3.0 description, for the stand-ins of flag services: find
 * the operation a method and path name, validate a JSON body against its request schema and an
 * answer against its response schema (ajv, `#/components/...` resolved within the document), and
 * list query parameters the operation does not document.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

interface OpenApiParameter {
  readonly name: string;
  readonly in: string;
}
interface OpenApiMedia {
  readonly schema?: Record<string, unknown>;
}
/** One operation of the description. */
export interface OpenApiOperation {
  readonly operationId: string;
  readonly description?: string;
  readonly parameters?: readonly OpenApiParameter[];
  readonly requestBody?: { readonly content?: Record<string, OpenApiMedia> };
  readonly responses?: Record<string, { readonly content?: Record<string, OpenApiMedia> }>;
}
/** The parts of a description the stand-ins read. */
export interface OpenApiDocument {
  readonly info: { readonly description?: string };
  readonly paths: Record<
    string,
    Record<string, unknown> & { readonly parameters?: readonly OpenApiParameter[] }
  >;
  readonly components: Record<string, unknown>;
}

/** An operation matched by a request, with the path's parameters. */
export interface FoundOperation {
  readonly template: string;
  readonly operation: OpenApiOperation;
  readonly params: Readonly<Record<string, string>>;
}

/** A loaded description with its validators. */
export class OpenApi {
  readonly document: OpenApiDocument;
  readonly #ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  readonly #validators = new Map<object, ValidateFunction>();

  constructor(file: URL) {
    this.document = parse(readFileSync(file, 'utf8')) as OpenApiDocument;
  }

  /** The operation for `method` and `path` (query ignored), or undefined. */
  find(method: string, path: string): FoundOperation | undefined {
    const bare = path.split('?')[0] ?? '';
    for (const [template, item] of Object.entries(this.document.paths)) {
      const operation = item[method.toLowerCase()] as OpenApiOperation | undefined;
      if (operation === undefined) continue;
      const names: string[] = [];
      const pattern = template
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\{([^}]+)\}/g, (_all, name: string) => {
          names.push(name);
          return '([^/]+)';
        });
      const match = new RegExp(`^${pattern}$`).exec(bare);
      if (match === null) continue;
      const params = Object.fromEntries(
        names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]),
      );
      return { template, operation, params };
    }
    return undefined;
  }

  /** Why `body` does not fit the operation's `application/json` request schema; [] when it does. */
  checkBody(found: FoundOperation, body: unknown): string[] {
    const schema = found.operation.requestBody?.content?.['application/json']?.schema;
    if (schema === undefined) return body === undefined ? [] : ['the operation takes no body'];
    return this.check(schema, body);
  }

  /** Why `body` does not fit the operation's JSON answer for `status`; [] when it does. */
  checkAnswer(found: FoundOperation, status: number, body: unknown): string[] {
    const schema = found.operation.responses?.[String(status)]?.content?.['application/json']?.schema;
    if (schema === undefined) return [`the description documents no JSON answer ${status}`];
    return this.check(schema, body);
  }

  /** Why `value` does not fit `schema` (which may `$ref` the document's components); [] when it does. */
  check(schema: Record<string, unknown>, value: unknown): string[] {
    let validate = this.#validators.get(schema);
    if (validate === undefined) {
      validate = this.#ajv.compile({ ...schema, components: this.document.components });
      this.#validators.set(schema, validate);
    }
    return validate(value) ? [] : [this.#ajv.errorsText(validate.errors, { dataVar: 'body' })];
  }

  /** The query parameters of `path` the operation does not document. */
  undocumentedQuery(found: FoundOperation, path: string): string[] {
    const documented = [
      ...(this.document.paths[found.template]?.parameters ?? []),
      ...(found.operation.parameters ?? []),
    ]
      .filter((p) => p.in === 'query')
      .map((p) => p.name);
    const query = new URLSearchParams(path.split('?')[1] ?? '');
    return [...new Set(query.keys())].filter((name) => !documented.includes(name));
  }
}
