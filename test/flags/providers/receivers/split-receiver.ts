/**
 * A real HTTP server standing in for Split's Admin API v2 (get and partially update a feature flag
 * definition in an environment). Every request is checked against the description transcribed
 * from Split's reference in test/fixtures/split-admin-api/: the operation must exist for its
 * method and path, its query parameters must be documented, `Authorization` must be
 * `Bearer <admin api key>`, a PATCH body must be a JSON Patch and the definition it leads to must
 * keep the reference's rules (a rule's buckets total 100 and name the definition's treatments).
 * Every answer the stand-in gives is itself checked against the description.
 */
import assert from 'node:assert/strict';
import {
  type HttpReceiver,
  type ReceivedRequest,
  startHttpReceiver,
} from '../../../notifications/receivers/http-receiver.js';
import { type FoundOperation, OpenApi } from './openapi-document.js';

const DESCRIPTION = new URL('../../../fixtures/split-admin-api/split-admin-api.yaml', import.meta.url);
let described: OpenApi | undefined;

/** The description, loaded once per test process. */
export function splitOpenApi(): OpenApi {
  described ??= new OpenApi(DESCRIPTION);
  return described;
}

/** A definition as the stand-in keeps it (the Admin API's JSON). */
export interface StandInSplitDefinition {
  name: string;
  killed: boolean;
  treatments: { name: string; configurations?: string }[];
  defaultTreatment: string;
  baselineTreatment?: string;
  trafficAllocation: number;
  rules: unknown[];
  defaultRule: { treatment: string; size: number }[];
}

/** A request the description does not allow, and why. */
export interface Violation {
  readonly method: string;
  readonly path: string;
  readonly reasons: readonly string[];
}

/** A running stand-in. */
export interface SplitReceiver {
  readonly http: HttpReceiver;
  readonly baseUrl: string;
  /** Definitions by `wsId/featureFlagName/environmentId`. */
  readonly definitions: Map<string, StandInSplitDefinition>;
  readonly violations: Violation[];
  /** Answers the next valid request(s) with these instead (a 429, a 500 ...). */
  failNext(...answers: { status: number; headers?: Record<string, string>; body?: string }[]): void;
  /** `METHOD path` of every request, in order. */
  calls(): string[];
  /** The JSON bodies of the requests, in order (undefined for none). */
  bodies(): unknown[];
  close(): Promise<void>;
}

/** Starts the stand-in; `apiKey` is the only Admin API key it accepts. */
export async function startSplitReceiver(apiKey: string): Promise<SplitReceiver> {
  const api = splitOpenApi();
  const definitions = new Map<string, StandInSplitDefinition>();
  const violations: Violation[] = [];
  const scripted: { status: number; headers?: Record<string, string>; body?: string }[] = [];

  const respond = (request: Omit<ReceivedRequest, 'status'>) => {
    const found = api.find(request.method, request.path);
    if (found === undefined) return refuse(request, ['no such operation in the description']);
    const reasons = api
      .undocumentedQuery(found, request.path)
      .map((name) => `query parameter ${name} is not documented`);
    let body: unknown;
    try {
      body = request.body.length === 0 ? undefined : JSON.parse(request.body.toString('utf8'));
    } catch {
      reasons.push('body is not JSON');
    }
    if (request.method === 'PATCH' && !String(request.headers['content-type']).startsWith('application/json'))
      reasons.push('a JSON Patch is sent as application/json');
    reasons.push(...api.checkBody(found, body));
    if (reasons.length > 0) return refuse(request, reasons);
    if (request.headers.authorization !== `Bearer ${apiKey}`) return { status: 401, body: '' };
    const next = scripted.shift();
    if (next !== undefined) return { headers: { 'content-type': 'application/json' }, ...next };
    const { wsId, featureFlagName, environmentId } = found.params;
    const definition = definitions.get(`${wsId}/${featureFlagName}/${environmentId}`);
    if (definition === undefined)
      return json(404, {
        code: 404,
        message: `Split ${featureFlagName} not found in environment`,
        details: '',
      });
    if (request.method === 'PATCH') {
      const updated = applyJsonPatch(definition, body as JsonPatch);
      if ('error' in updated) return refuse(request, [updated.error]);
      const broken = ruleViolations(updated.definition);
      if (broken.length > 0) return refuse(request, broken);
      definitions.set(
        `${wsId}/${featureFlagName}/${environmentId}`,
        updated.definition as unknown as StandInSplitDefinition,
      );
      return answer(found, updated.definition, String(environmentId));
    }
    return answer(found, definition, String(environmentId));
  };

  const refuse = (request: Omit<ReceivedRequest, 'status'>, reasons: string[]) => {
    violations.push({ method: request.method, path: request.path, reasons });
    return json(400, { code: 400, message: reasons.join('; '), details: '' });
  };

  const http = await startHttpReceiver(respond);
  return {
    http,
    baseUrl: http.origin,
    definitions,
    violations,
    failNext: (...answers) => {
      scripted.push(...answers);
    },
    calls: () => http.requests.map((r) => `${r.method} ${r.path}`),
    bodies: () =>
      http.requests.map((r) => (r.body.length === 0 ? undefined : JSON.parse(r.body.toString('utf8')))),
    close: () => http.close(),
  };
}

type JsonPatch = readonly { op: string; path: string; value?: unknown }[];

/** RFC 6902 `replace` and `add` of top-level members, which is all Slipway sends. */
function applyJsonPatch(
  definition: StandInSplitDefinition,
  patch: JsonPatch,
): { definition: Record<string, unknown> } | { error: string } {
  const next: Record<string, unknown> = structuredClone(definition) as unknown as Record<string, unknown>;
  for (const operation of patch) {
    const member = operation.path.slice(1);
    if (member.includes('/') || !['replace', 'add'].includes(operation.op))
      return { error: `the stand-in does not apply ${operation.op} ${operation.path}` };
    if (operation.op === 'replace' && !(member in next))
      return { error: `cannot replace ${operation.path}: the definition has no such member` };
    next[member] = operation.value;
  }
  return { definition: next };
}

const DEFINITION_SCHEMA = { $ref: '#/components/schemas/SplitDefinition' };

/** The definition's schema, then the reference's rules the schema cannot state. */
function ruleViolations(definition: Record<string, unknown>): string[] {
  const wrong = splitOpenApi().check(DEFINITION_SCHEMA, definition);
  if (wrong.length > 0) return wrong;
  const typed = definition as unknown as StandInSplitDefinition;
  const names = typed.treatments.map((t) => t.name);
  const reasons: string[] = [];
  const total = typed.defaultRule.reduce((sum, bucket) => sum + bucket.size, 0);
  if (total !== 100) reasons.push(`the default rule's buckets total ${total}, not 100`);
  for (const bucket of typed.defaultRule)
    if (!names.includes(bucket.treatment))
      reasons.push(`the default rule names no treatment ${bucket.treatment}`);
  return reasons;
}

function answer(
  found: FoundOperation,
  definition: Record<string, unknown> | StandInSplitDefinition,
  env: string,
) {
  const body = {
    ...definition,
    environment: { id: `env-${env}`, name: env },
    trafficType: { id: 'tt-user', name: 'user' },
    creationTime: 1_773_400_000_000,
    lastUpdateTime: 1_773_480_000_000,
  };
  // The stand-in answers only as the description says Split does.
  assert.deepEqual(splitOpenApi().checkAnswer(found, 200, body), [], "the stand-in's answer does not fit");
  return json(200, body);
}

function json(status: number, body: unknown) {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
