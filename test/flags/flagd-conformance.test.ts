// flagd conformance: every example of flagd's evaluator suite (test/fixtures/flagd-testbed/) run
// through the real OpenFeature server SDK and the real OFREP provider against a Slipway OFREP
// listener serving the testbed's flags. Each answer on the wire is also checked against the OFREP
// OpenAPI description (test/fixtures/ofrep/).
//
// flagd answers DISABLED, and DEFAULT when there is no default variant, as a success without a value
// (core/pkg/service/ofrep/models.go: the code default applies). @openfeature/ofrep-provider 0.1.x
// refuses a success without `value` ("does not match the expected format"), so for those cases the
// SDK gives the fallback with reason ERROR / GENERAL: the test asserts that, and that the answer on
// the wire is the one flagd's OFREP service sends. Examples tagged @fractional-v1 are for flagd's
// bucketing before 0.15, which flagd-core 4 no longer implements; the @fractional-v2 ones run.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { type EvaluationDetails, type JsonValue, OpenFeature } from '@openfeature/server-sdk';
import type { FlagDocument } from '../../src/flags/flag-document.js';
import { FlagEngine } from '../../src/flags/flag-engine.js';
import { createOfrepServer } from '../../src/flags/ofrep-listener.js';
import { type GherkinCase, gherkinCases } from './gherkin-cases.js';
import {
  OFREP_DISAGREEMENTS,
  type OfrepDisagreement,
  type OfrepExchange,
  OfrepOpenApi,
} from './ofrep-openapi.js';

const TESTBED = new URL('../fixtures/flagd-testbed/', import.meta.url);
const DOCUMENT = JSON.parse(
  readFileSync(new URL('flags/testkit-flags.json', TESTBED), 'utf8'),
) as FlagDocument;
const EXCLUDED_TAGS = ['@fractional-v1'];
const DOMAIN = 'flagd-conformance';

const features = readdirSync(new URL('gherkin/', TESTBED))
  .filter((name) => name.endsWith('.feature'))
  .sort()
  .map((file) => ({ file, cases: gherkinCases(readFileSync(new URL(`gherkin/${file}`, TESTBED), 'utf8')) }));

const openApi = new OfrepOpenApi();
const QUIET = { error() {}, warn() {}, info() {}, debug() {} };

/** Every answer the provider received, in order. */
const exchanges: OfrepExchange[] = [];
/** Cases where the SDK cannot say what flagd says, as `key REASON`. */
const unexpressed: string[] = [];
/** Each known disagreement with the OFREP description, and the answers that ran into it. */
const disagreementsSeen = new Map<OfrepDisagreement, number>();

let server: ReturnType<typeof createOfrepServer>;
let baseUrl = '';

before(async () => {
  const engine = new FlagEngine({ version: 1, document: DOCUMENT });
  server = createOfrepServer(() => engine);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const recordingFetch = async (
    input: Parameters<typeof fetch>[0],
    init?: RequestInit,
  ): Promise<Response> => {
    const response = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    exchanges.push({ path: url.pathname, status: response.status, body: await response.clone().text() });
    return response;
  };
  OpenFeature.setLogger(QUIET);
  await OpenFeature.setProviderAndWait(
    DOMAIN,
    new OFREPProvider({ baseUrl, fetchImplementation: recordingFetch }),
  );
});

after(async () => {
  await OpenFeature.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

type FlagType = 'Boolean' | 'String' | 'Integer' | 'Float' | 'Object';

/** A step value written in a feature, as the JSON value of `type`. */
function typed(type: string, text: string): JsonValue {
  switch (type) {
    case 'Boolean':
      if (text !== 'true' && text !== 'false') throw new Error(`not a Boolean: ${text}`);
      return text === 'true';
    case 'Integer':
      return Number.parseInt(text, 10);
    case 'Float':
      return Number.parseFloat(text);
    case 'Object':
      return JSON.parse(text.replace(/\\"/g, '"')) as JsonValue;
    case 'String':
      return text;
    default:
      throw new Error(`unknown type ${type}`);
  }
}

/** What flagd's OFREP service answers for a DISABLED flag or a code default (models.go SuccessResponseFrom). */
const flagdValueless = (key: string, reason: 'DISABLED' | 'DEFAULT', metadata: Record<string, unknown>) => ({
  key,
  reason,
  metadata,
});

/** What a case has set up and seen so far. */
interface CaseState {
  type?: FlagType;
  key: string;
  fallback: JsonValue;
  readonly context: Record<string, JsonValue>;
  details?: EvaluationDetails<JsonValue>;
  answer?: OfrepExchange;
}

const wire = (state: CaseState) => JSON.parse(state.answer?.body ?? 'null') as Record<string, unknown>;

/** The testbed's steps, as its step definitions mean them; a step matching none fails the case. */
const STEPS: [RegExp, (state: CaseState, m: string[], table?: readonly (readonly string[])[]) => unknown][] =
  [
    [/^an evaluator$/, () => {}],
    [
      /^a (Boolean|String|Integer|Float|Object)-flag with key "(.*)" and a fallback value "(.*)"$/,
      (state, [, type, key, fallback]) => {
        state.type = type as FlagType;
        state.key = key!;
        state.fallback = typed(type!, fallback!);
      },
    ],
    [
      /^a context containing a key "(.*)", with type "(\w+)" and with value "(.*)"$/,
      (state, [, name, type, value]) => {
        state.context[name!] = typed(type!, value!);
      },
    ],
    [
      /^a context containing a targeting key with value "(.*)"$/,
      (state, [, value]) => {
        state.context.targetingKey = value!;
      },
    ],
    [
      /^a context containing a nested property with outer key "(.*)" and inner key "(.*)", with value "(.*)"$/,
      (state, [, outer, inner, value]) => {
        const before = (state.context[outer!] as Record<string, JsonValue> | undefined) ?? {};
        state.context[outer!] = { ...before, [inner!]: value! };
      },
    ],
    [/^the flag was evaluated with details$/, evaluate],
    [
      /^the resolved details value should be "(.*)"$/,
      (state, [, value]) => assert.deepEqual(state.details?.value, typed(state.type!, value!)),
    ],
    [/^the reason should be "(.*)"$/, (state, [, reason]) => assertReason(state, reason!)],
    [
      /^the error-code should be "(.*)"$/,
      (state, [, code]) => {
        assert.equal(state.details?.reason, 'ERROR');
        assert.equal(state.details?.errorCode, code);
        assert.deepEqual(state.details?.value, state.fallback);
      },
    ],
    [
      /^the resolved metadata should contain$/,
      (state, _, table) => {
        const [header, ...rows] = table ?? [];
        assert.deepEqual(header, ['key', 'metadata_type', 'value']);
        for (const [name, metadataType, value] of rows)
          assert.deepEqual(state.details?.flagMetadata[name!], typed(metadataType!, value!), name);
      },
    ],
    [/^the resolved metadata is empty$/, (state) => assert.deepEqual(state.details?.flagMetadata, {})],
  ];

/** Evaluates through the SDK and checks the one OFREP answer it got against the description. */
async function evaluate(state: CaseState): Promise<void> {
  const { key, fallback, context } = state;
  const client = OpenFeature.getClient(DOMAIN);
  const before = exchanges.length;
  if (state.type === 'Boolean')
    state.details = await client.getBooleanDetails(key, fallback as boolean, context);
  else if (state.type === 'String')
    state.details = await client.getStringDetails(key, fallback as string, context);
  else if (state.type === 'Integer' || state.type === 'Float')
    state.details = await client.getNumberDetails(key, fallback as number, context);
  else state.details = await client.getObjectDetails(key, fallback, context);
  assert.equal(exchanges.length, before + 1, 'one OFREP request per evaluation');
  state.answer = exchanges.at(-1)!;
  assert.equal(state.answer.path, `/ofrep/v1/evaluate/flags/${encodeURIComponent(key)}`);
  const check = openApi.check(state.answer);
  assert.deepEqual(check.problems, [], `${state.answer.body} against ${check.schema}`);
  assert.deepEqual(check.disagreements, expectedDisagreements(wire(state)), state.answer.body);
  for (const d of check.disagreements) disagreementsSeen.set(d, (disagreementsSeen.get(d) ?? 0) + 1);
}

function assertReason(state: CaseState, reason: string): void {
  const { details, answer } = state;
  if (answer?.status === 200 && !('value' in wire(state))) {
    // The provider refuses flagd's value-less success: the SDK falls back with an error...
    assert.equal(details?.reason, 'ERROR');
    assert.equal(details?.errorCode, 'GENERAL');
    assert.equal(details?.errorMessage, 'The OFREP response does not match the expected format');
    assert.deepEqual(details?.value, state.fallback);
    // ...while the answer on the wire is flagd's, with the reason the feature expects.
    assert.ok(reason === 'DISABLED' || reason === 'DEFAULT', reason);
    assert.deepEqual(wire(state), flagdValueless(state.key, reason, {}));
    unexpressed.push(`${state.key} ${reason}`);
  } else {
    assert.equal(details?.reason, reason);
    assert.equal(details?.errorCode, undefined);
  }
}

/** Runs one case: its steps in order. */
async function run(c: GherkinCase): Promise<void> {
  const state: CaseState = { key: '', fallback: null, context: {} };
  for (const step of c.steps) {
    const definition = STEPS.find(([pattern]) => pattern.test(step.text));
    if (!definition) throw new Error(`step not understood: ${step.text}`);
    const [pattern, apply] = definition;
    await apply(state, pattern.exec(step.text) ?? [], step.table);
  }
}

/** The disagreements with the OFREP description an answer should run into (see ofrep-openapi.ts). */
function expectedDisagreements(body: Record<string, unknown>): OfrepDisagreement[] {
  const successes = (Array.isArray(body.flags) ? (body.flags as Record<string, unknown>[]) : [body]).filter(
    (item) => 'reason' in item,
  );
  const found = new Set<OfrepDisagreement>();
  for (const item of successes) {
    if ('value' in item) found.add('code-default-matches-any');
    if (Number.isInteger(item.value)) found.add('integer-is-also-float');
    if (item.reason === 'DEFAULT') found.add('reason-default-not-listed');
  }
  return OFREP_DISAGREEMENTS.filter((d) => found.has(d));
}

for (const { file, cases } of features) {
  describe(`flagd evaluator suite: ${file}`, () => {
    for (const c of cases) {
      const excluded = c.tags.find((t) => EXCLUDED_TAGS.includes(t));
      test(`${c.name} (line ${c.line})`, excluded ? { skip: `${excluded}: flagd before 0.15` } : {}, () =>
        run(c),
      );
    }
  });
}

describe('the suite as a whole', () => {
  test('every feature of the evaluator suite is read, with the cases expected of it', () => {
    const counts = Object.fromEntries(features.map(({ file, cases }) => [file, cases.length]));
    assert.deepEqual(counts, {
      'disabled.feature': 5,
      'errors.feature': 2,
      'evaluation.feature': 5,
      'evaluator-refs.feature': 9,
      'fractional.feature': 54,
      'metadata.feature': 5,
      'no-default-variant.feature': 6,
      'semver.feature': 31,
      'string.feature': 8,
      'targeting.feature': 2,
      'zero-values.feature': 13,
    });
    const v1 = features.flatMap(({ cases }) => cases).filter((c) => c.tags.includes('@fractional-v1'));
    assert.equal(v1.length, 15);
  });

  test("the cases the OFREP provider cannot express are flagd's value-less answers, and only those", () => {
    assert.deepEqual([...unexpressed].sort(), [
      'disabled-boolean-flag DISABLED',
      'disabled-float-flag DISABLED',
      'disabled-integer-flag DISABLED',
      'disabled-object-flag DISABLED',
      'disabled-string-flag DISABLED',
      'no-default-flag-null-targeting-variant DEFAULT',
      'no-default-flag-undefined-targeting-variant DEFAULT',
      'null-default-flag DEFAULT',
      'null-default-flag DEFAULT',
      'undefined-default-flag DEFAULT',
    ]);
  });

  test('every disagreement with the OFREP description was met by some answer', () => {
    assert.deepEqual([...disagreementsSeen.keys()].sort(), [...OFREP_DISAGREEMENTS].sort());
  });

  test("bulk answers for the suite's contexts: each flag as its single answer, within the description", async () => {
    const contexts = [
      {},
      { targetingKey: 'jon@company.com', tier: 'premium', color: 'red' },
      { email: 'ballmer@macrosoft.com', version: '2.0.0', user: { name: 'jack' }, id: 'abcxyz' },
    ];
    for (const context of contexts) {
      const response = await fetch(`${baseUrl}/ofrep/v1/evaluate/flags`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ context }),
      });
      const body = await response.text();
      assert.equal(response.status, 200);
      const check = openApi.check({ path: '/ofrep/v1/evaluate/flags', status: 200, body });
      assert.deepEqual(check.problems, []);
      const parsed = JSON.parse(body) as { flags: Record<string, unknown>[]; metadata: unknown };
      assert.deepEqual(check.disagreements, expectedDisagreements(parsed));
      assert.deepEqual(parsed.metadata, {});
      assert.equal(parsed.flags.length, Object.keys(DOCUMENT.flags).length);
      for (const flag of parsed.flags) {
        const single = await fetch(
          `${baseUrl}/ofrep/v1/evaluate/flags/${encodeURIComponent(String(flag.key))}`,
          {
            method: 'POST',
            body: JSON.stringify({ context }),
          },
        );
        assert.deepEqual(flag, await single.json(), String(flag.key));
      }
      const cached = await fetch(`${baseUrl}/ofrep/v1/evaluate/flags`, {
        method: 'POST',
        headers: { 'if-none-match': response.headers.get('etag') ?? '' },
        body: JSON.stringify({ context }),
      });
      assert.equal(cached.status, 304);
      assert.deepEqual(
        openApi.check({ path: '/ofrep/v1/evaluate/flags', status: 304, body: await cached.text() }),
        {
          schema: 'none',
          problems: [],
          disagreements: [],
        },
      );
    }
  });

  test('error answers are within the description: 404 FLAG_NOT_FOUND, 400 PARSE_ERROR and INVALID_CONTEXT', async () => {
    const cases: [string, string, number, string][] = [
      ['/ofrep/v1/evaluate/flags/missing-flag', '{"context":{}}', 404, 'flagNotFound'],
      [
        '/ofrep/v1/evaluate/flags/ref-to-nonexistent-evaluator-flag',
        '{"context":{}}',
        400,
        'evaluationFailure',
      ],
      ['/ofrep/v1/evaluate/flags/boolean-flag', '{"context":', 400, 'evaluationFailure'],
      ['/ofrep/v1/evaluate/flags', '{"context":[]}', 400, 'bulkEvaluationFailure'],
    ];
    for (const [path, requestBody, status, schema] of cases) {
      const response = await fetch(`${baseUrl}${path}`, { method: 'POST', body: requestBody });
      const body = await response.text();
      assert.equal(response.status, status, path);
      assert.deepEqual(
        openApi.check({ path, status, body }),
        { schema, problems: [], disagreements: [] },
        body,
      );
    }
  });
});
