/**
 * The Split provider against a stand-in for Split's Admin API that checks every request against
 * the description transcribed from Split's reference: the contract suite, then the exact calls of
 * a rollout and its rollback, how the baseline is found, and the API's failures.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SplitProvider, type SplitProviderOptions } from '../../../src/flags/providers/split-provider.js';
import { closedPort } from '../../notifications/channel-contract.js';
import { assertNoSecret, describeProviderContract, rejects } from './provider-contract.js';
import {
  type SplitReceiver,
  type StandInSplitDefinition,
  startSplitReceiver,
} from './receivers/split-receiver.js';

const API_KEY = 'adm1n-k3y-8f2c4a6e0b1d3f5a7c9e1b3d5f7a9c1e';
const KEY = 'ws-3f9a/checkout_flow/Production';
const PATH = '/internal/api/v2/splits/ws/ws-3f9a/checkout_flow/environments/Production';

/** A definition whose default rule serves `classic` to everyone. */
function checkoutFlow(): StandInSplitDefinition {
  return {
    name: 'checkout_flow',
    killed: false,
    treatments: [
      { name: 'classic' },
      { name: 'one_page', configurations: '{"steps":1}' },
      { name: 'express' },
    ],
    defaultTreatment: 'classic',
    baselineTreatment: 'classic',
    trafficAllocation: 100,
    rules: [],
    defaultRule: [{ treatment: 'classic', size: 100 }],
  };
}

function options(split: SplitReceiver, extra: Partial<SplitProviderOptions> = {}): SplitProviderOptions {
  return {
    baseUrl: split.baseUrl,
    workspace: 'ws-3f9a',
    environment: 'Production',
    token: API_KEY,
    sleep: async () => {},
    ...extra,
  };
}

/** The share of `treatment` the default rule serves, in percent. */
function served(split: SplitReceiver, treatment: string): number {
  return split.definitions.get(KEY)!.defaultRule.find((b) => b.treatment === treatment)?.size ?? 0;
}

describeProviderContract('split', async () => {
  const split = await startSplitReceiver(API_KEY);
  split.definitions.set(KEY, checkoutFlow());
  return {
    provider: new SplitProvider(options(split)),
    flag: 'checkout_flow',
    variant: 'one_page',
    defaultBaseline: 'classic',
    otherVariant: 'express',
    knowsVariants: true,
    secrets: [API_KEY],
    served: async () => ({ variant: served(split, 'one_page'), baseline: served(split, 'classic') }),
    calls: async () => split.http.requests.length,
    failNext: () => split.failNext({ status: 500, body: '{"code":500,"message":"Internal Server Error"}' }),
    close: async () => {
      assert.deepEqual(split.violations, []);
      await split.close();
    },
  };
});

describe('split provider', () => {
  let split: SplitReceiver;
  before(async () => {
    split = await startSplitReceiver(API_KEY);
  });
  beforeEach(() => {
    split.definitions.clear();
    split.definitions.set(KEY, checkoutFlow());
  });
  after(async () => {
    await split?.close();
  });

  it('reads the definition once, then replaces its default rule with a JSON Patch per share', async () => {
    const provider = new SplitProvider(options(split));
    const start = split.http.requests.length;
    const { baseline } = await provider.prepare({ flag: 'checkout_flow', variant: 'one_page' });
    assert.equal(baseline, 'classic');
    const target = { flag: 'checkout_flow', variant: 'one_page', baseline };
    for (const percent of [0, 5, 50, 100, 0]) await provider.setShare(target, percent);
    assert.deepEqual(split.violations, []);
    const requests = split.http.requests.slice(start);
    assert.deepEqual(
      requests.map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`),
      [`GET ${PATH} 200`, ...Array(5).fill(`PATCH ${PATH} 200`)],
    );
    for (const request of requests) assert.equal(request.headers.authorization, `Bearer ${API_KEY}`);
    const patches = requests.slice(1);
    for (const patch of patches) assert.equal(patch.headers['content-type'], 'application/json');
    assert.deepEqual(
      patches.map((p) => Object.fromEntries(new URLSearchParams(p.path.split('?')[1]))),
      [
        [0, 100],
        [5, 95],
        [50, 50],
        [100, 0],
        [0, 100],
      ].map(([variant, rest]) => ({
        title: 'Slipway flag rollout',
        comment: `'one_page' ${variant}%, 'classic' ${rest}%`,
      })),
    );
    const rule = (...buckets: [string, number][]) => [
      {
        op: 'replace',
        path: '/defaultRule',
        value: buckets.map(([treatment, size]) => ({ treatment, size })),
      },
    ];
    assert.deepEqual(
      patches.map((p) => JSON.parse(p.body.toString('utf8'))),
      [
        rule(['classic', 100]),
        rule(['one_page', 5], ['classic', 95]),
        rule(['one_page', 50], ['classic', 50]),
        rule(['one_page', 100]),
        rule(['classic', 100]),
      ],
    );
    // Only the default rule moved.
    const { defaultRule, ...rest } = split.definitions.get(KEY)!;
    const { defaultRule: _before, ...original } = checkoutFlow();
    assert.deepEqual(rest, original);
    assert.deepEqual(defaultRule, [{ treatment: 'classic', size: 100 }]);
  });

  it('sets a share without reading first: treatments are named, not numbered', async () => {
    const provider = new SplitProvider(options(split));
    const start = split.http.requests.length;
    await provider.setShare({ flag: 'checkout_flow', variant: 'one_page', baseline: 'classic' }, 25);
    assert.deepEqual(
      split
        .calls()
        .slice(start)
        .map((call) => call.split('?')[0]),
      [`PATCH ${PATH}`],
    );
    assert.equal(served(split, 'one_page'), 25);
  });

  it('takes the baseline from the default rule, a rollout that stopped half way, or the default treatment', async () => {
    const provider = new SplitProvider(options(split));
    const definition = split.definitions.get(KEY)!;
    definition.defaultRule = [
      { treatment: 'one_page', size: 25 },
      { treatment: 'express', size: 75 },
    ];
    assert.deepEqual(await provider.prepare({ flag: 'checkout_flow', variant: 'one_page' }), {
      baseline: 'express',
    });
    definition.defaultRule = [
      { treatment: 'one_page', size: 30 },
      { treatment: 'express', size: 30 },
      { treatment: 'classic', size: 40 },
    ];
    assert.deepEqual(await provider.prepare({ flag: 'checkout_flow', variant: 'one_page' }), {
      baseline: 'classic',
    });
  });

  it('refuses a feature flag Split does not define in the environment as FLAG_UNKNOWN', async () => {
    const provider = new SplitProvider(options(split, { environment: 'Staging' }));
    const error = await rejects(
      provider.prepare({ flag: 'checkout_flow', variant: 'one_page' }),
      'FLAG_UNKNOWN',
    );
    assert.match(
      error.message,
      /no feature flag 'checkout_flow' defined in environment 'Staging' of workspace 'ws-3f9a' \(HTTP 404/,
    );
  });

  it('refuses an unknown treatment, listing the flag’s, and patches nothing', async () => {
    const provider = new SplitProvider(options(split));
    const start = split.http.requests.length;
    const error = await rejects(
      provider.prepare({ flag: 'checkout_flow', variant: 'two_page' }),
      'FLAG_VARIANT_UNKNOWN',
    );
    assert.match(error.message, /no treatment 'two_page' .* it has 'classic', 'one_page', 'express'/);
    await rejects(
      provider.prepare({ flag: 'checkout_flow', variant: 'one_page', baseline: 'legacy' }),
      'FLAG_VARIANT_UNKNOWN',
    );
    assert.deepEqual(split.calls().slice(start), [`GET ${PATH}`, `GET ${PATH}`]);
  });

  it('refuses a killed feature flag: everyone gets the default treatment whatever the share', async () => {
    split.definitions.get(KEY)!.killed = true;
    const provider = new SplitProvider(options(split));
    const error = await rejects(
      provider.prepare({ flag: 'checkout_flow', variant: 'one_page' }),
      'FLAG_ROLLOUT_INVALID',
    );
    assert.match(error.message, /is killed in environment 'Production'/);
  });

  it('refuses a share finer than a whole percent, which Split cannot serve', async () => {
    const provider = new SplitProvider(options(split));
    const error = await rejects(
      provider.setShare({ flag: 'checkout_flow', variant: 'one_page', baseline: 'classic' }, 2.5),
      'FLAG_WEIGHTS_INVALID',
    );
    assert.match(error.message, /steps of 1%/);
  });

  it('says an Admin API key was refused without showing it', async () => {
    const wrong = 'adm1n-k3y-wrong-0000000000000000000000';
    const provider = new SplitProvider(options(split, { token: wrong }));
    const error = await rejects(
      provider.prepare({ flag: 'checkout_flow', variant: 'one_page' }),
      'FLAG_PROVIDER_FAILED',
    );
    assert.match(
      error.message,
      /Split refused reading the definition of feature flag 'checkout_flow' in environment 'Production' \(HTTP 401\) \(check the Split Admin API key\)/,
    );
    assertNoSecret(error, [wrong, API_KEY]);
  });

  it('waits the longer of the org and IP resets a 429 names, then goes on', async () => {
    const slept: number[] = [];
    const provider = new SplitProvider(options(split, { sleep: async (ms) => void slept.push(ms) }));
    split.failNext({
      status: 429,
      headers: {
        'x-ratelimit-remaining-org': '0',
        'x-ratelimit-reset-seconds-org': '3',
        'x-ratelimit-remaining-ip': '0',
        'x-ratelimit-reset-seconds-ip': '5',
      },
    });
    const start = split.http.requests.length;
    await provider.setShare({ flag: 'checkout_flow', variant: 'one_page', baseline: 'classic' }, 5);
    assert.deepEqual(slept, [5000]);
    assert.deepEqual(
      split.http.requests.slice(start).map((r) => `${r.method} ${r.status}`),
      ['PATCH 429', 'PATCH 200'],
    );
    assert.equal(served(split, 'one_page'), 5);
  });

  it('fails with FLAG_PROVIDER_FAILED when Split cannot be reached', async () => {
    const provider = new SplitProvider(options(split, { baseUrl: `http://127.0.0.1:${await closedPort()}` }));
    const error = await rejects(
      provider.prepare({ flag: 'checkout_flow', variant: 'one_page' }),
      'FLAG_PROVIDER_FAILED',
    );
    assert.match(error.message, /cannot reach Split for reading the definition/);
    assertNoSecret(error, [API_KEY]);
  });

  it('has a stand-in that refuses what the description does not allow', async () => {
    const send = (body: unknown, query = '', auth = `Bearer ${API_KEY}`) =>
      fetch(`${split.baseUrl}${PATH}${query}`, {
        method: 'PATCH',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const reasons = () => split.violations.pop()?.reasons.join('; ') ?? '';
    // The partial update is a JSON Patch, not an object of fields.
    assert.equal((await send({ defaultRule: [{ treatment: 'one_page', size: 100 }] })).status, 400);
    assert.match(reasons(), /must be array/);
    const replace = (value: unknown) => [{ op: 'replace', path: '/defaultRule', value }];
    assert.equal((await send(replace([{ treatment: 'one_page', size: 5 }]))).status, 400);
    assert.match(reasons(), /buckets total 5, not 100/);
    assert.equal((await send(replace([{ treatment: 'two_page', size: 100 }]))).status, 400);
    assert.match(reasons(), /names no treatment two_page/);
    assert.equal((await send(replace([{ treatment: 'one_page', size: 100 }]), '?reason=x')).status, 400);
    assert.match(reasons(), /query parameter reason is not documented/);
    assert.equal((await send(replace([{ treatment: 'one_page', size: 100 }]), '', API_KEY)).status, 401);
    assert.deepEqual(split.violations, []);
    assert.equal(served(split, 'classic'), 100);
  });
});
