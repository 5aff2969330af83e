/**
 * A real HTTP server standing in for LaunchDarkly's REST API v2 (get and patch a feature flag).
 * Every request is checked against LaunchDarkly's published OpenAPI description (the subset in
 * test/fixtures/launchdarkly-api/): the operation must exist for its method and path, its query
 * parameters must be documented, `Authorization` must be the bare access token. A semantic patch
 * (`Content-Type: ...; domain-model=launchdarkly.semanticpatch`) has no schema in the description,
 * only prose: its body is checked against that prose (the fields the operation's description
 * lists, each instruction's `#### kind` section and the parameters it names) and against the
 * rules stated there (weights in thousandths of a percent, of the flag's variation ids). A patch
 * without that header is a JSON patch and must fit `PatchWithComment`, as the description says.
 * Every answer the stand-in gives is itself checked against the description's response schemas.
 */
import assert from 'node:assert/strict';
import {
  type HttpReceiver,
  type ReceivedRequest,
  startHttpReceiver,
} from '../../../notifications/receivers/http-receiver.js';
import { type FoundOperation, OpenApi } from './openapi-document.js';

const DESCRIPTION = new URL('../../../fixtures/launchdarkly-api/openapi-feature-flag.yaml', import.meta.url);
let described: OpenApi | undefined;

/** The description, loaded once per test process. */
export function launchDarklyOpenApi(): OpenApi {
  described ??= new OpenApi(DESCRIPTION);
  return described;
}

/** A flag as the stand-in keeps it. */
export interface StandInLdFlag {
  readonly key: string;
  readonly variations: readonly { readonly _id: string; readonly value: unknown; readonly name?: string }[];
  environments: Record<string, StandInLdEnvironment>;
  archived?: boolean;
}
/** One environment's targeting of a flag. */
export interface StandInLdEnvironment {
  on: boolean;
  fallthrough: { variation?: number; rollout?: { variations: { variation: number; weight: number }[] } };
  offVariation: number;
  version: number;
}

/** A request the description (or its prose) does not allow, and why. */
export interface Violation {
  readonly method: string;
  readonly path: string;
  readonly reasons: readonly string[];
}

/** A running stand-in. */
export interface LaunchDarklyReceiver {
  readonly http: HttpReceiver;
  readonly baseUrl: string;
  /** Flags by `project/flagKey`. */
  readonly flags: Map<string, StandInLdFlag>;
  readonly violations: Violation[];
  /** Answers the next valid request(s) with these instead (a 429, a 500 ...). */
  failNext(...answers: { status: number; headers?: Record<string, string>; body?: unknown }[]): void;
  /** `METHOD path` of every request, in order. */
  calls(): string[];
  /** The JSON bodies of the requests, in order (undefined for none). */
  bodies(): unknown[];
  close(): Promise<void>;
}

const SEMANTIC_PATCH = 'domain-model=launchdarkly.semanticpatch';

/** Starts the stand-in; `token` is the only access token it accepts. */
export async function startLaunchDarklyReceiver(token: string): Promise<LaunchDarklyReceiver> {
  const api = launchDarklyOpenApi();
  const flags = new Map<string, StandInLdFlag>();
  const violations: Violation[] = [];
  const scripted: { status: number; headers?: Record<string, string>; body?: unknown }[] = [];

  const respond = (request: Omit<ReceivedRequest, 'status'>) => {
    const found = api.find(request.method, request.path);
    if (found === undefined) return refuse(request, ['no such operation in the OpenAPI description'], 404);
    const reasons = api
      .undocumentedQuery(found, request.path)
      .map((name) => `query parameter ${name} is not documented`);
    const version = request.headers['ld-api-version'];
    if (version !== undefined && !/^\d{8}$/.test(String(version)))
      reasons.push('LD-API-Version is not a yyyymmdd version');
    let body: unknown;
    try {
      body = request.body.length === 0 ? undefined : JSON.parse(request.body.toString('utf8'));
    } catch {
      reasons.push('body is not JSON');
    }
    const flag = flags.get(`${found.params.projectKey}/${found.params.featureFlagKey}`);
    if (request.method === 'PATCH') reasons.push(...checkPatch(api, found, request, body, flag));
    if (reasons.length > 0) return refuse(request, reasons, 400);
    // The security scheme: the access token itself in Authorization (no Bearer).
    if (request.headers.authorization !== token)
      return answer(found, 401, { code: 'unauthorized', message: 'Invalid access token' });
    const next = scripted.shift();
    if (next !== undefined) return answer(found, next.status, next.body, next.headers);
    if (flag === undefined)
      return answer(found, 404, { code: 'not_found', message: 'Invalid resource identifier' });
    const query = new URLSearchParams(request.path.split('?')[1] ?? '');
    if (request.method === 'GET')
      return answer(found, 200, representation(flag, query.get('env') ?? undefined));
    applyPatch(flag, body as SemanticPatch);
    return answer(found, 200, representation(flag, undefined));
  };

  const refuse = (request: Omit<ReceivedRequest, 'status'>, reasons: string[], status: number) => {
    violations.push({ method: request.method, path: request.path, reasons });
    return json(status, { code: 'invalid_request', message: reasons.join('; ') });
  };

  const http = await startHttpReceiver(respond);
  return {
    http,
    baseUrl: http.origin,
    flags,
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

interface SemanticPatch {
  readonly environmentKey?: string;
  readonly comment?: string;
  readonly instructions: readonly Record<string, unknown>[];
}

/** Why a PATCH does not fit the description; [] when it does. */
function checkPatch(
  api: OpenApi,
  found: FoundOperation,
  request: Omit<ReceivedRequest, 'status'>,
  body: unknown,
  flag: StandInLdFlag | undefined,
): string[] {
  const description = found.operation.description ?? '';
  if (!String(request.headers['content-type'] ?? '').includes(SEMANTIC_PATCH))
    // "If you call a semantic patch resource without this header, you will receive a 400 response
    // because your semantic patch will be interpreted as a JSON patch."
    return api.checkBody(found, body).map((reason) => `as a JSON patch: ${reason}`);
  const reasons: string[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return ['a semantic patch is an object'];
  // "The body of a semantic patch request for updating feature flags takes the following properties".
  for (const field of Object.keys(body))
    if (!description.includes(`* \`${field}\``)) reasons.push(`field ${field} is not documented`);
  const patch = body as Partial<SemanticPatch>;
  if (!Array.isArray(patch.instructions) || patch.instructions.length === 0)
    return [...reasons, '`instructions` (array) is required'];
  for (const instruction of patch.instructions) {
    const kind = String(instruction.kind);
    const section = sectionOf(description, kind);
    if (section === undefined) {
      reasons.push(`instruction kind ${kind} is not documented`);
      continue;
    }
    if (
      /These instructions require the `environmentKey`/.test(precedingText(description, kind)) &&
      !patch.environmentKey
    )
      reasons.push(`${kind} requires environmentKey`);
    for (const parameter of Object.keys(instruction))
      if (parameter !== 'kind' && !section.includes(`\`${parameter}\``))
        reasons.push(`${kind} has no parameter ${parameter}`);
    if (kind === 'updateFallthroughVariationOrRollout') reasons.push(...checkWeights(instruction, flag));
  }
  return reasons;
}

/** "`rolloutWeights`: Map of `variationId` to weight, in thousandths of a percent (0-100000)." */
function checkWeights(instruction: Record<string, unknown>, flag: StandInLdFlag | undefined): string[] {
  const weights = instruction.rolloutWeights;
  if ((weights === undefined) === (instruction.variationId === undefined))
    return ['give either variationId or rolloutWeights'];
  if (weights === undefined) return [];
  if (typeof weights !== 'object' || weights === null) return ['rolloutWeights is a map'];
  const reasons: string[] = [];
  let total = 0;
  for (const [id, weight] of Object.entries(weights)) {
    if (!Number.isInteger(weight) || (weight as number) < 0 || (weight as number) > 100_000)
      reasons.push(`weight ${String(weight)} is not 0-100000`);
    total += Number(weight);
    if (flag !== undefined && !flag.variations.some((v) => v._id === id))
      reasons.push(`${id} is no variation id`);
  }
  if (total !== 100_000) reasons.push(`the weights total ${total}, not 100000 (100%)`);
  return reasons;
}

/** The text of `#### kind` up to the next heading, or undefined when the description has none. */
function sectionOf(description: string, kind: string): string | undefined {
  const start = description.indexOf(`#### ${kind}\n`);
  if (start < 0) return undefined;
  const end = description.indexOf('\n#### ', start + 1);
  return description.slice(start, end < 0 ? undefined : end);
}

/** The text of the `<details>` group holding `#### kind`, up to it. */
function precedingText(description: string, kind: string): string {
  const at = description.indexOf(`#### ${kind}\n`);
  return description.slice(description.lastIndexOf('<details>', at), at);
}

function applyPatch(flag: StandInLdFlag, patch: SemanticPatch): void {
  const environment = flag.environments[patch.environmentKey ?? ''];
  assert.ok(environment, `the stand-in has no environment ${patch.environmentKey}`);
  for (const instruction of patch.instructions) {
    const weights = instruction.rolloutWeights as Record<string, number> | undefined;
    environment.fallthrough =
      weights === undefined
        ? { variation: flag.variations.findIndex((v) => v._id === instruction.variationId) }
        : {
            rollout: {
              variations: Object.entries(weights).map(([id, weight]) => ({
                variation: flag.variations.findIndex((v) => v._id === id),
                weight,
              })),
            },
          };
    environment.version++;
  }
}

/** The flag as `getFeatureFlag` answers it, with only `env`'s configuration when one is asked for. */
function representation(flag: StandInLdFlag, env: string | undefined): unknown {
  const environments = Object.fromEntries(
    Object.entries(flag.environments)
      .filter(([key]) => env === undefined || key === env)
      .map(([key, config]) => [
        key,
        {
          _environmentName: key,
          _site: { href: `/default/${key}/features/${flag.key}`, type: 'text/html' },
          archived: false,
          lastModified: 1_773_480_000_000,
          on: config.on,
          salt: '61eddeadbeef4da1facecafe3a60a397',
          sel: '810edeadbeef4844facecafe438f2999492',
          trackEvents: false,
          trackEventsFallthrough: false,
          version: config.version,
          targets: [],
          contextTargets: [],
          rules: [],
          prerequisites: [],
          fallthrough: config.fallthrough,
          offVariation: config.offVariation,
        },
      ]),
  );
  return {
    key: flag.key,
    name: flag.key,
    kind: flag.variations.every((v) => typeof v.value === 'boolean') ? 'boolean' : 'multivariate',
    _version: 1,
    creationDate: 1_773_400_000_000,
    variations: flag.variations,
    temporary: true,
    tags: [],
    _links: {
      parent: { href: '/api/v2/flags/shop', type: 'application/json' },
      self: { href: `/api/v2/flags/shop/${flag.key}`, type: 'application/json' },
    },
    experiments: { baselineIdx: 0, items: [] },
    customProperties: {},
    archived: flag.archived ?? false,
    environments,
  };
}

function answer(found: FoundOperation, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (body !== undefined) {
    // The stand-in answers only as the description says LaunchDarkly does.
    const wrong = launchDarklyOpenApi().checkAnswer(found, status, body);
    assert.deepEqual(wrong, [], `the stand-in's own ${status} answer does not fit the description`);
  }
  return json(status, body, headers);
}

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}
