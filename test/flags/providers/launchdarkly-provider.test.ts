/**
 * The LaunchDarkly provider against a stand-in for LaunchDarkly's REST API that checks every
 * request against LaunchDarkly's published OpenAPI description: the contract suite, then the exact
 * calls of a rollout and its rollback, how variations are named, and the API's failures.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  LAUNCHDARKLY_API_VERSION,
  LaunchDarklyProvider,
  type LaunchDarklyProviderOptions,
  SEMANTIC_PATCH_CONTENT_TYPE,
} from '../../../src/flags/providers/launchdarkly-provider.js';
import { closedPort } from '../../notifications/channel-contract.js';
import { assertNoSecret, describeProviderContract, rejects } from './provider-contract.js';
import {
  type LaunchDarklyReceiver,
  type StandInLdFlag,
  startLaunchDarklyReceiver,
} from './receivers/launchdarkly-receiver.js';

const TOKEN = 'api-5c1f0e7a-93d2-4b8e-a6f1-0d4c2b9e7f31';
const NOW = Date.UTC(2026, 2, 14, 10, 0, 0);
const CLASSIC = 'e5830889-1ec5-4b0c-9cc9-c48790090c43';
const ONE_PAGE = '2f43f67c-3e4e-4945-a18a-26559378ca00';
const EXPRESS = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

/** A multivariate flag whose default rule serves `classic`. */
function checkoutFlow(): StandInLdFlag {
  return {
    key: 'checkout-flow',
    variations: [
      { _id: CLASSIC, value: 'classic', name: 'classic' },
      { _id: ONE_PAGE, value: 'one-page', name: 'one-page' },
      { _id: EXPRESS, value: 'express', name: 'Express lane' },
    ],
    environments: {
      production: { on: true, fallthrough: { variation: 0 }, offVariation: 0, version: 7 },
      staging: { on: true, fallthrough: { variation: 1 }, offVariation: 0, version: 3 },
    },
  };
}

function options(ld: LaunchDarklyReceiver, extra: Partial<LaunchDarklyProviderOptions> = {}) {
  return {
    baseUrl: ld.baseUrl,
    project: 'shop',
    environment: 'production',
    token: TOKEN,
    sleep: async () => {},
    now: () => NOW,
    ...extra,
  };
}

/** The share of `variationId` the default rule of `flag` serves in production, in percent. */
function served(ld: LaunchDarklyReceiver, flag: string, variationId: string): number {
  const stored = ld.flags.get(`shop/${flag}`)!;
  const index = stored.variations.findIndex((v) => v._id === variationId);
  const { fallthrough } = stored.environments.production!;
  if (fallthrough.variation !== undefined) return fallthrough.variation === index ? 100 : 0;
  return (fallthrough.rollout?.variations.find((w) => w.variation === index)?.weight ?? 0) / 1000;
}

describeProviderContract('launchdarkly', async () => {
  const ld = await startLaunchDarklyReceiver(TOKEN);
  ld.flags.set('shop/checkout-flow', checkoutFlow());
  return {
    provider: new LaunchDarklyProvider(options(ld)),
    flag: 'checkout-flow',
    variant: 'one-page',
    defaultBaseline: 'classic',
    otherVariant: 'Express lane',
    knowsVariants: true,
    secrets: [TOKEN],
    served: async () => ({
      variant: served(ld, 'checkout-flow', ONE_PAGE),
      baseline: served(ld, 'checkout-flow', CLASSIC),
    }),
    calls: async () => ld.http.requests.length,
    failNext: () =>
      ld.failNext({
        status: 409,
        body: {
          code: 'optimistic_locking_error',
          message: 'Conflict. Optimistic lock error. Try again later.',
        },
      }),
    close: async () => {
      assert.deepEqual(ld.violations, []);
      await ld.close();
    },
  };
});

describe('launchdarkly provider', () => {
  let ld: LaunchDarklyReceiver;
  before(async () => {
    ld = await startLaunchDarklyReceiver(TOKEN);
  });
  beforeEach(() => {
    ld.flags.clear();
    ld.flags.set('shop/checkout-flow', checkoutFlow());
  });
  after(async () => {
    await ld?.close();
  });

  it('reads the flag once, then sets the default rule to each share with one semantic patch', async () => {
    const provider = new LaunchDarklyProvider(options(ld));
    const start = ld.http.requests.length;
    const { baseline } = await provider.prepare({ flag: 'checkout-flow', variant: 'one-page' });
    assert.equal(baseline, 'classic');
    const target = { flag: 'checkout-flow', variant: 'one-page', baseline };
    for (const percent of [0, 5, 50, 100, 0]) await provider.setShare(target, percent);
    assert.deepEqual(ld.violations, []);
    const requests = ld.http.requests.slice(start);
    assert.deepEqual(
      requests.map((r) => `${r.method} ${r.path} ${r.status}`),
      [
        'GET /api/v2/flags/shop/checkout-flow?env=production 200',
        ...Array(5).fill('PATCH /api/v2/flags/shop/checkout-flow 200'),
      ],
    );
    for (const request of requests) {
      assert.equal(request.headers.authorization, TOKEN, 'the bare token, not Bearer');
      assert.equal(request.headers['ld-api-version'], LAUNCHDARKLY_API_VERSION);
    }
    const patches = requests.slice(1);
    for (const patch of patches) assert.equal(patch.headers['content-type'], SEMANTIC_PATCH_CONTENT_TYPE);
    const weights = (variant: number, rest: number) => ({
      [CLASSIC]: rest,
      [ONE_PAGE]: variant,
      [EXPRESS]: 0,
    });
    assert.deepEqual(
      patches.map((p) => JSON.parse(p.body.toString('utf8'))),
      [
        [0, 100],
        [5, 95],
        [50, 50],
        [100, 0],
        [0, 100],
      ].map(([variant, rest]) => ({
        environmentKey: 'production',
        comment: `Slipway flag rollout: 'one-page' ${variant}%, 'classic' ${rest}%`,
        instructions: [
          {
            kind: 'updateFallthroughVariationOrRollout',
            rolloutWeights: weights(variant! * 1000, rest! * 1000),
          },
        ],
      })),
    );
    // Only production moved.
    assert.deepEqual(ld.flags.get('shop/checkout-flow')!.environments.staging!.fallthrough, { variation: 1 });
  });

  it('after a restart, reads the flag before its first share', async () => {
    const provider = new LaunchDarklyProvider(options(ld));
    const start = ld.http.requests.length;
    await provider.setShare({ flag: 'checkout-flow', variant: 'one-page', baseline: 'classic' }, 50);
    assert.deepEqual(ld.calls().slice(start), [
      'GET /api/v2/flags/shop/checkout-flow?env=production',
      'PATCH /api/v2/flags/shop/checkout-flow',
    ]);
    assert.equal(served(ld, 'checkout-flow', ONE_PAGE), 50);
  });

  it('passes the bucketing context kind and attribute when configured', async () => {
    const provider = new LaunchDarklyProvider(
      options(ld, { rolloutContextKind: 'organization', rolloutBucketBy: 'region' }),
    );
    await provider.setShare({ flag: 'checkout-flow', variant: 'one-page', baseline: 'classic' }, 5);
    assert.deepEqual(ld.violations, []);
    const body = ld.bodies().at(-1) as { instructions: Record<string, unknown>[] };
    assert.equal(body.instructions[0]!.rolloutContextKind, 'organization');
    assert.equal(body.instructions[0]!.rolloutBucketBy, 'region');
  });

  it('names variations by value when they have no name, and takes the baseline from the default rule', async () => {
    ld.flags.set('shop/dark-mode', {
      key: 'dark-mode',
      variations: [
        { _id: 'v-true', value: true },
        { _id: 'v-false', value: false },
      ],
      environments: { production: { on: true, fallthrough: { variation: 1 }, offVariation: 1, version: 1 } },
    });
    const provider = new LaunchDarklyProvider(options(ld));
    const { baseline } = await provider.prepare({ flag: 'dark-mode', variant: 'true' });
    assert.equal(baseline, 'false');
    await provider.setShare({ flag: 'dark-mode', variant: 'true', baseline }, 5);
    const body = ld.bodies().at(-1) as { instructions: { rolloutWeights: unknown }[] };
    assert.deepEqual(body.instructions[0]!.rolloutWeights, { 'v-true': 5000, 'v-false': 95000 });
  });

  it('takes the baseline of a rollout that stopped half way from its default rule', async () => {
    ld.flags.get('shop/checkout-flow')!.environments.production!.fallthrough = {
      rollout: {
        variations: [
          { variation: 0, weight: 75_000 },
          { variation: 1, weight: 25_000 },
          { variation: 2, weight: 0 },
        ],
      },
    };
    const provider = new LaunchDarklyProvider(options(ld));
    assert.deepEqual(await provider.prepare({ flag: 'checkout-flow', variant: 'one-page' }), {
      baseline: 'classic',
    });
  });

  it('refuses a flag LaunchDarkly does not have as FLAG_UNKNOWN', async () => {
    const provider = new LaunchDarklyProvider(options(ld));
    const error = await rejects(provider.prepare({ flag: 'no-such-flag', variant: 'on' }), 'FLAG_UNKNOWN');
    assert.match(
      error.message,
      /no flag 'no-such-flag' in project 'shop' \(HTTP 404: Invalid resource identifier\)/,
    );
  });

  it('refuses an unknown variation, listing the flag’s, and patches nothing', async () => {
    const provider = new LaunchDarklyProvider(options(ld));
    const start = ld.http.requests.length;
    const error = await rejects(
      provider.prepare({ flag: 'checkout-flow', variant: 'two-page' }),
      'FLAG_VARIANT_UNKNOWN',
    );
    assert.match(error.message, /classic = "classic", one-page = "one-page", Express lane = "express"/);
    assert.deepEqual(ld.calls().slice(start), ['GET /api/v2/flags/shop/checkout-flow?env=production']);
  });

  it('refuses a flag that is off in the environment: no share would change what users get', async () => {
    ld.flags.get('shop/checkout-flow')!.environments.production!.on = false;
    const provider = new LaunchDarklyProvider(options(ld));
    const error = await rejects(
      provider.prepare({ flag: 'checkout-flow', variant: 'one-page' }),
      'FLAG_ROLLOUT_INVALID',
    );
    assert.match(error.message, /is off in environment 'production'/);
  });

  it('says a token was refused without showing it', async () => {
    const wrong = 'api-00000000-wrong-token-ffffffffffff';
    const provider = new LaunchDarklyProvider(options(ld, { token: wrong }));
    const error = await rejects(
      provider.prepare({ flag: 'checkout-flow', variant: 'one-page' }),
      'FLAG_PROVIDER_FAILED',
    );
    assert.match(
      error.message,
      /LaunchDarkly refused reading flag 'checkout-flow' of project 'shop' \(HTTP 401\): Invalid access token \(check the LaunchDarkly access token\)/,
    );
    assertNoSecret(error, [wrong, TOKEN]);
  });

  it('waits as a 429 asks (Retry-After, else X-Ratelimit-Reset), then goes on', async () => {
    const slept: number[] = [];
    const provider = new LaunchDarklyProvider(options(ld, { sleep: async (ms) => void slept.push(ms) }));
    const limited = { code: 'rate_limited', message: "You've exceeded the API rate limit. Try again later." };
    ld.failNext(
      { status: 429, headers: { 'retry-after': '2' }, body: limited },
      { status: 429, headers: { 'x-ratelimit-reset': String(NOW + 1500) }, body: limited },
    );
    const start = ld.http.requests.length;
    await provider.setShare({ flag: 'checkout-flow', variant: 'one-page', baseline: 'classic' }, 5);
    assert.deepEqual(slept, [2000, 1500]);
    assert.deepEqual(
      ld.http.requests.slice(start).map((r) => `${r.method} ${r.status}`),
      ['GET 429', 'GET 429', 'GET 200', 'PATCH 200'],
    );
    assert.equal(served(ld, 'checkout-flow', ONE_PAGE), 5);
  });

  it('gives up after its retries, or at once when asked to wait too long', async () => {
    const limited = {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { code: 'rate_limited', message: 'slow down' },
    };
    const provider = new LaunchDarklyProvider(options(ld, { maxRetries: 2 }));
    ld.failNext(limited, limited, limited);
    let start = ld.http.requests.length;
    const error = await rejects(
      provider.prepare({ flag: 'checkout-flow', variant: 'one-page' }),
      'FLAG_PROVIDER_FAILED',
    );
    assert.match(
      error.message,
      /rate limiting .* \(HTTP 429, asks to wait 1 s\) after 3 attempt\(s\): slow down/,
    );
    assert.equal(ld.http.requests.length - start, 3);

    ld.failNext({ ...limited, headers: { 'retry-after': '3600' } });
    start = ld.http.requests.length;
    await rejects(provider.prepare({ flag: 'checkout-flow', variant: 'one-page' }), 'FLAG_PROVIDER_FAILED');
    assert.equal(ld.http.requests.length - start, 1);
  });

  it('explains an environment that requires approvals', async () => {
    const provider = new LaunchDarklyProvider(options(ld));
    await provider.prepare({ flag: 'checkout-flow', variant: 'one-page' });
    ld.failNext({
      status: 405,
      body: { code: 'method_not_allowed', message: 'Approval is required to make this request' },
    });
    const error = await rejects(
      provider.setShare({ flag: 'checkout-flow', variant: 'one-page', baseline: 'classic' }, 5),
      'FLAG_PROVIDER_FAILED',
    );
    assert.match(error.message, /requires approval for flag changes/);
  });

  it('fails with FLAG_PROVIDER_FAILED when LaunchDarkly cannot be reached', async () => {
    const provider = new LaunchDarklyProvider(
      options(ld, { baseUrl: `http://127.0.0.1:${await closedPort()}` }),
    );
    const error = await rejects(
      provider.prepare({ flag: 'checkout-flow', variant: 'one-page' }),
      'FLAG_PROVIDER_FAILED',
    );
    assert.match(error.message, /cannot reach LaunchDarkly for reading flag 'checkout-flow'/);
    assertNoSecret(error, [TOKEN]);
  });

  it('gives up on a request LaunchDarkly does not answer in time', async () => {
    const silent = (_url: string, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) =>
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    const provider = new LaunchDarklyProvider(options(ld, { fetch: silent, timeoutMs: 50 }));
    const error = await rejects(
      provider.prepare({ flag: 'checkout-flow', variant: 'one-page' }),
      'FLAG_PROVIDER_FAILED',
    );
    assert.match(
      error.message,
      /cannot reach LaunchDarkly for reading flag 'checkout-flow' of project 'shop': no answer within 50 ms/,
    );
  });

  it('has a stand-in that refuses what the description does not allow', async () => {
    const url = `${ld.baseUrl}/api/v2/flags/shop/checkout-flow`;
    const semantic = {
      environmentKey: 'production',
      instructions: [
        {
          kind: 'updateFallthroughVariationOrRollout',
          rolloutWeights: { [ONE_PAGE]: 5000, [CLASSIC]: 95000 },
        },
      ],
    };
    const send = (headers: Record<string, string>, body: unknown) =>
      fetch(url, {
        method: 'PATCH',
        headers: { authorization: TOKEN, ...headers },
        body: JSON.stringify(body),
      });
    const reasons = () => ld.violations.pop()?.reasons.join('; ') ?? '';

    // A semantic patch without its content type is read as a JSON patch.
    assert.equal((await send({ 'content-type': 'application/json' }, semantic)).status, 400);
    assert.match(reasons(), /as a JSON patch: .*must have required property 'patch'/);
    const asSemantic = { 'content-type': SEMANTIC_PATCH_CONTENT_TYPE };
    const instruction = semantic.instructions[0]!;
    assert.equal(
      (await send(asSemantic, { ...semantic, instructions: [{ ...instruction, weights: {} }] })).status,
      400,
    );
    assert.match(reasons(), /updateFallthroughVariationOrRollout has no parameter weights/);
    assert.equal(
      (
        await send(asSemantic, {
          ...semantic,
          instructions: [{ ...instruction, rolloutWeights: { [ONE_PAGE]: 5 } }],
        })
      ).status,
      400,
    );
    assert.match(reasons(), /the weights total 5, not 100000/);
    assert.equal(
      (
        await send(asSemantic, {
          ...semantic,
          environmentKey: undefined,
          instructions: [{ kind: 'rollItOut' }],
        })
      ).status,
      400,
    );
    assert.match(reasons(), /instruction kind rollItOut is not documented/);
    assert.equal((await send(asSemantic, { instructions: [instruction] })).status, 400);
    assert.match(reasons(), /requires environmentKey/);
    // LaunchDarkly takes the bare token: a Bearer one is no token.
    const bearer = await fetch(`${url}?env=production`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(bearer.status, 401);
    assert.deepEqual(ld.violations, []);
  });
});
