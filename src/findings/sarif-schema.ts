/**
 * Checks a SARIF log against the official SARIF 2.1.0 JSON schema (schema/sarif/, vendored unchanged
 * from OASIS, errata 01). The validators compile once per process, on first use; a valid log costs one
 * pass of ajv's generated code, and only an invalid one is checked again to list every problem.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { packageRoot } from '../package/package-root.js';
import { FindingsError, type ReportIssue } from './errors.js';

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** The `id` of the vendored schema: the SARIF 2.1.0 schema as corrected by errata 01. */
export const SARIF_SCHEMA_ID =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

interface Validators {
  /** Stops at the first problem: the cheap check every report goes through. */
  readonly fast: ValidateFunction;
  /** Lists every problem; compiled only when a report is invalid. */
  all?: ValidateFunction;
}

let validators: Validators | undefined;
let schema: object | undefined;

/**
 * The vendored schema, adapted in memory to draft-07 for ajv v8. The published file declares draft-04,
 * which differs from draft-07 only by `id` (now `$id`) and the boolean form of `exclusiveMinimum` and
 * `exclusiveMaximum`; the schema uses neither of those, which the adaptation checks, so it validates
 * exactly what the draft-04 reading would.
 */
export function sarifSchema(): object {
  if (schema) return schema;
  const path = join(packageRoot(), 'schema', 'sarif', 'sarif-schema-2.1.0.json');
  let published: Record<string, unknown>;
  try {
    published = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new FindingsError('FINDINGS_SCHEMA_UNAVAILABLE', `cannot read the SARIF schema at ${path}`, {
      cause,
    });
  }
  if (published.id !== SARIF_SCHEMA_ID || usesDraft04Only(published))
    throw new FindingsError('FINDINGS_SCHEMA_UNAVAILABLE', `${path} is not the SARIF 2.1.0 errata 01 schema`);
  const { id, $schema: _draft04, ...rest } = published;
  schema = { $schema: 'http://json-schema.org/draft-07/schema#', $id: id, ...rest };
  return schema;
}

function usesDraft04Only(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(usesDraft04Only);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(
    ([key, v]) =>
      ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof v === 'boolean') ||
      usesDraft04Only(v),
  );
}

function compile(allErrors: boolean): ValidateFunction {
  // strict off: the published schema has union types (`["array", "null"]`) and `default`s under `$ref`.
  const ajv = new Ajv({ allErrors, strict: false });
  addFormats(ajv);
  ajv.addFormat('uri-reference', uriReference);
  // ajv checks `uniqueItems` by comparing every pair of items; the schema puts it on arrays that run
  // to thousands of objects (`run.artifacts`, `toolComponent.rules`), where that dominated reading.
  // The same rule, checked in one pass over canonical JSON, costs a few ms.
  ajv.removeKeyword('uniqueItems');
  ajv.addKeyword({ keyword: 'uniqueItems', type: 'array', schemaType: 'boolean', validate: uniqueItems });
  return ajv.compile(sarifSchema());
}

const FULL_URI_REFERENCE = fullFormats['uri-reference'] as RegExp;
// Relative paths and `file:///` URIs of plain characters: always URI references (no `:` to be taken
// for a scheme, no `@` or `%` to parse), and most `artifactLocation.uri`s. The rest takes the full
// RFC 3986 expression, which is several times slower.
const PLAIN_URI_REFERENCE = /^(?:file:\/\/\/)?[\w\-.~!$&'()*+,;=/]*$/;

/** The `uri-reference` format of ajv-formats, with a fast path for plain paths. */
function uriReference(value: string): boolean {
  return PLAIN_URI_REFERENCE.test(value) || FULL_URI_REFERENCE.test(value);
}

interface KeywordValidate {
  (unique: boolean, items: readonly unknown[]): boolean;
  errors?: Partial<ErrorObject>[];
}

/** JSON Schema's `uniqueItems`: no two items are equal as JSON values. */
const uniqueItems: KeywordValidate = (unique, items) => {
  uniqueItems.errors = undefined;
  if (!unique || items.length < 2) return true;
  const seen = new Map<unknown, number>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const key = item !== null && typeof item === 'object' ? `\0${canonicalJson(item)}` : item;
    const first = seen.get(key);
    if (first !== undefined) {
      uniqueItems.errors = [
        {
          keyword: 'uniqueItems',
          message: `must NOT have duplicate items (items ## ${first} and ${i} are identical)`,
          params: { i: first, j: i },
        },
      ];
      return false;
    }
    seen.set(key, i);
  }
  return true;
};

/** `value` as JSON with object keys sorted, so equal values have equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

/** The problems of `log` against the SARIF 2.1.0 schema, in document order; none when it is valid. */
export function sarifSchemaIssues(log: unknown): ReportIssue[] {
  validators ??= { fast: compile(false) };
  if (validators.fast(log)) return [];
  validators.all ??= compile(true);
  validators.all(log);
  return schemaIssues(validators.all.errors ?? validators.fast.errors ?? []);
}

/** Throws FINDINGS_REPORT_INVALID naming `file` and the first problems when `log` is not valid SARIF 2.1.0. */
export function assertSarifLog(log: unknown, file: string): void {
  const issues = sarifSchemaIssues(log);
  if (issues.length === 0) return;
  const shown = issues
    .slice(0, 3)
    .map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`))
    .join('; ');
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  throw new FindingsError('FINDINGS_REPORT_INVALID', `${file}: ${shown}${more}`, { file, issues });
}

// A branch of `anyOf` that fails reports each alternative; the concrete errors say what is wrong, so
// the combinator's own error is dropped and the alternatives at one path are joined with "or".
function schemaIssues(errors: readonly ErrorObject[]): ReportIssue[] {
  const concrete = errors.filter((e) => !['anyOf', 'oneOf', 'allOf', 'if', '$ref'].includes(e.keyword));
  const byPath = new Map<string, string[]>();
  for (const e of concrete.length > 0 ? concrete : errors) {
    const messages = byPath.get(e.instancePath) ?? [];
    const message = describe(e);
    if (!messages.includes(message)) messages.push(message);
    byPath.set(e.instancePath, messages);
  }
  return [...byPath].map(([pointer, messages]) => ({
    path: jsonPath(pointer),
    message: messages.join(' or '),
  }));
}

function describe(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  const message = e.message ?? 'is invalid';
  switch (e.keyword) {
    case 'enum':
      return `${message}: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'additionalProperties':
      return `${message} ('${String(params.additionalProperty)}')`;
    default:
      return message;
  }
}

/** `/runs/0/results/3/level` as `runs[0].results[3].level`; the root is the empty string. */
export function jsonPath(pointer: string): string {
  if (pointer === '') return '';
  let path = '';
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) path += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) path += path === '' ? part : `.${part}`;
    else path += `[${JSON.stringify(part)}]`;
  }
  return path;
}
