/**
 * A real HTTP server standing in for the GitHub REST API at a channel's `baseUrl`. Every request is
 * checked against GitHub's published OpenAPI description (npm `@octokit/openapi`): the operation
 * must exist for its method and path, its JSON body must validate against the operation's
 * requestBody schema (with ajv, `$ref`s resolved within the document), and every body field must be
 * one the schema documents. A request that passes gets a realistic 201; one that fails gets GitHub's
 * 422 with the reasons, and is kept in `violations`.
 */
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { type HttpReceiver, type ReceivedRequest, startHttpReceiver } from './http-receiver.js';

interface OpenApiOperation {
  readonly operationId: string;
  readonly parameters?: readonly (
    | { readonly $ref: string }
    | { readonly name: string; readonly in: string }
  )[];
  readonly requestBody?: { readonly content?: Record<string, { readonly schema?: OpenApiSchema }> };
}
interface OpenApiSchema {
  readonly properties?: Record<string, unknown>;
  readonly [keyword: string]: unknown;
}
interface OpenApiDocument {
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components: {
    readonly parameters?: Record<string, { readonly name: string; readonly in: string }>;
  };
}

const require = createRequire(import.meta.url);
let described: OpenApiDocument | undefined;

/** GitHub's OpenAPI description of api.github.com, loaded once per test process. */
function openApi(): OpenApiDocument {
  described ??= require('@octokit/openapi/generated/api.github.com.json') as OpenApiDocument;
  return described;
}

/** A request the description does not allow, and why. */
export interface Violation {
  readonly method: string;
  readonly path: string;
  readonly reasons: readonly string[];
}

/** A running stand-in. */
export interface GithubReceiver {
  readonly http: HttpReceiver;
  /** `baseUrl` for the channel: the server's origin plus GitHub Enterprise's `/api/v3`. */
  readonly baseUrl: string;
  /** The operationId of each request received, in order (`repos/create-deployment`, ...). */
  operations(): readonly string[];
  readonly violations: Violation[];
  close(): Promise<void>;
}

const PREFIX = '/api/v3';

/** Starts the stand-in; deployments it creates are numbered from `firstDeploymentId`. */
export async function startGithubReceiver(firstDeploymentId = 1_208_911_234): Promise<GithubReceiver> {
  const document = openApi();
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validators = new Map<OpenApiOperation, ValidateFunction>();
  const violations: Violation[] = [];
  /** Deployments created, as GitHub lists them. */
  const deployments = new Map<number, Record<string, unknown>>();
  let nextDeploymentId = firstDeploymentId;

  const validatorOf = (operation: OpenApiOperation, schema: OpenApiSchema): ValidateFunction => {
    let validate = validators.get(operation);
    if (validate === undefined) {
      // The body schema compiled with the document's components at its root, so `#/components/...` resolves.
      validate = ajv.compile({ ...schema, components: document.components });
      validators.set(operation, validate);
    }
    return validate;
  };

  const respond = (request: Omit<ReceivedRequest, 'status'>) => {
    const found = findOperation(document, request.method, request.path);
    const reasons: string[] = [];
    let body: unknown;
    try {
      body = request.body.length === 0 ? undefined : JSON.parse(request.body.toString('utf8'));
    } catch {
      reasons.push('body is not JSON');
    }
    if (found === undefined) reasons.push('no such operation in the OpenAPI description');
    else {
      const schema = found.operation.requestBody?.content?.['application/json']?.schema;
      if (schema !== undefined) {
        const validate = validatorOf(found.operation, schema);
        if (!validate(body)) reasons.push(ajv.errorsText(validate.errors));
        const documented = Object.keys(schema.properties ?? {});
        for (const field of Object.keys((body ?? {}) as object))
          if (!documented.includes(field)) reasons.push(`field ${field} is not documented`);
      }
      const query = new URLSearchParams(request.path.split('?')[1] ?? '');
      const documentedQuery = queryParameters(document, found.operation);
      for (const name of query.keys())
        if (!documentedQuery.includes(name)) reasons.push(`query parameter ${name} is not documented`);
      if (!/^(token|bearer) \S+$/i.test(String(request.headers.authorization ?? '')))
        reasons.push('no token in authorization');
    }
    if (reasons.length > 0) {
      violations.push({ method: request.method, path: request.path, reasons });
      return json(422, { message: 'Validation Failed', errors: reasons });
    }
    const params = found!.params;
    const input = body as Record<string, unknown>;
    switch (found!.operation.operationId) {
      case 'repos/create-commit-status':
        return json(201, {
          id: 29_121_339_201,
          url: `https://api.github.com/repos/${params.owner}/${params.repo}/statuses/${params.sha}`,
          state: input.state,
          description: input.description ?? null,
          target_url: input.target_url ?? null,
          context: input.context ?? 'default',
          created_at: '2026-03-14T09:26:54Z',
          updated_at: '2026-03-14T09:26:54Z',
        });
      case 'repos/create-deployment': {
        const id = nextDeploymentId++;
        const deployment = {
          id,
          url: `https://api.github.com/repos/${params.owner}/${params.repo}/deployments/${id}`,
          sha: input.ref,
          ref: input.ref,
          task: 'deploy',
          payload: input.payload ?? {},
          environment: input.environment,
          description: input.description ?? null,
          created_at: '2026-03-14T09:26:54Z',
          updated_at: '2026-03-14T09:26:54Z',
        };
        deployments.set(id, deployment);
        return json(201, deployment);
      }
      case 'repos/list-deployments': {
        const query = new URLSearchParams(request.path.split('?')[1] ?? '');
        const matches = (field: string, value: unknown) => !query.has(field) || query.get(field) === value;
        // Newest first, as GitHub lists them.
        const listed = [...deployments.values()]
          .reverse()
          .filter(
            (d) => matches('sha', d.sha) && matches('environment', d.environment) && matches('task', d.task),
          )
          .slice(0, Number(query.get('per_page') ?? 30));
        return json(200, listed);
      }
      case 'repos/create-deployment-status': {
        const id = Number(params.deployment_id);
        if (!deployments.has(id)) return json(404, { message: 'Not Found' });
        return json(201, {
          id: 4_511_002_311,
          state: input.state,
          description: input.description ?? '',
          environment_url: input.environment_url ?? '',
          log_url: input.log_url ?? '',
          deployment_url: `https://api.github.com/repos/${params.owner}/${params.repo}/deployments/${id}`,
          created_at: '2026-03-14T09:26:55Z',
        });
      }
      case 'code-scanning/upload-sarif': {
        // GitHub queues the analysis and answers 202 with the upload's id.
        const id = `47177e22-5596-11eb-80a1-c1e54ef945c6-${http.requests.length}`;
        return json(202, {
          id,
          url: `https://api.github.com/repos/${params.owner}/${params.repo}/code-scanning/sarifs/${id}`,
        });
      }
      default:
        return json(501, { message: `the stand-in does not answer ${found!.operation.operationId}` });
    }
  };

  const http = await startHttpReceiver(respond);
  return {
    http,
    baseUrl: `${http.origin}${PREFIX}`,
    operations: () =>
      http.requests.map(
        (request) => findOperation(document, request.method, request.path)?.operation.operationId ?? '?',
      ),
    violations,
    close: () => http.close(),
  };
}

function json(status: number, body: unknown) {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}

/** The names of the query parameters an operation documents (`$ref`s resolved). */
function queryParameters(document: OpenApiDocument, operation: OpenApiOperation): string[] {
  return (operation.parameters ?? []).flatMap((parameter) => {
    const resolved =
      '$ref' in parameter
        ? document.components.parameters?.[parameter.$ref.replace('#/components/parameters/', '')]
        : parameter;
    return resolved?.in === 'query' ? [resolved.name] : [];
  });
}

/** The operation for `method` and `path` (under `/api/v3`), with the path's parameters. */
function findOperation(
  document: OpenApiDocument,
  method: string,
  rawPath: string,
): { operation: OpenApiOperation; params: Record<string, string> } | undefined {
  const path = (rawPath.split('?')[0] ?? '').replace(PREFIX, '');
  for (const [template, operations] of Object.entries(document.paths)) {
    const operation = operations[method.toLowerCase()];
    if (operation === undefined) continue;
    const names: string[] = [];
    const pattern = template
      .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace(/\{([^}]+)\}/g, (_all, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
    const match = new RegExp(`^${pattern}$`).exec(path);
    if (match === null) continue;
    const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]));
    return { operation, params };
  }
  return undefined;
}
