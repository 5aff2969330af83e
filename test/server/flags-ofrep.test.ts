// OFREP on the server: single and bulk evaluations with a token, the bulk ETag and its 304, the
// request body read as sent, and a change made by the CLI in the same store served within a second.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/capture-io.js';
import { type Harness, startServer, tempProject } from './helpers/server-harness.js';

const CONFIG = `version: 1
project: { name: ofrep }
jobs:
  build: { run: echo built }
pipeline:
  stages:
    - name: ci
      parallel: [build]
flags:
  metadata: { flagSetId: shop }
  flags:
    new-checkout:
      state: ENABLED
      variants: { on: true, off: false }
      defaultVariant: "off"
    discount:
      state: ENABLED
      variants: { none: 0, some: 10 }
      defaultVariant: none
      targeting: { if: [{ ends_with: [{ var: email }, "@example.com"] }, some, null] }
`;

const TIMEOUT = { timeout: 30_000 };

describe('OFREP on the server', () => {
  let h: Harness;
  const ofrep = (
    path: string,
    options: { body?: unknown; rawBody?: string; headers?: Record<string, string>; token?: string } = {},
  ) => h.api('POST', `/ofrep/v1/evaluate/flags${path}`, { token: h.tokens.viewer, ...options });
  /** The CLI run in-process in the project folder (the same store as the server). */
  const cli = async (env: NodeJS.ProcessEnv, ...argv: string[]) => {
    const io = captureIo(h.projectDir, {
      PATH: process.env.PATH,
      NO_COLOR: '1',
      SLIPWAY_ACTOR: 'carol',
      ...env,
    });
    const code = await main(argv, io);
    return { code, out: io.out(), err: io.err() };
  };

  before(async () => {
    // pollMs as `slipway server` has it: a change made elsewhere must still be served within a second.
    h = await startServer(await tempProject(CONFIG), undefined, { pollMs: 250 });
  });
  after(async () => {
    await h.close();
  });

  test('a single evaluation: the value and variant, targeting on the context, 404 for an unknown flag', async () => {
    const plain = await ofrep('/new-checkout', { body: { context: { targetingKey: 'u1' } } });
    assert.equal(plain.status, 200, plain.text);
    assert.match(plain.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(
      {
        key: plain.json.key,
        value: plain.json.value,
        variant: plain.json.variant,
        reason: plain.json.reason,
      },
      { key: 'new-checkout', value: false, variant: 'off', reason: 'STATIC' },
    );
    const matched = await ofrep('/discount', {
      body: { context: { targetingKey: 'u1', email: 'a@example.com' } },
    });
    assert.equal(matched.json.value, 10);
    assert.equal(matched.json.reason, 'TARGETING_MATCH');
    const empty = await ofrep('/new-checkout', { rawBody: '' });
    assert.equal(empty.status, 200, 'an empty body is an empty context');
    const missing = await ofrep('/nope', { body: { context: {} } });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.errorCode, 'FLAG_NOT_FOUND');
    const garbage = await ofrep('/new-checkout', { rawBody: '{not json' });
    assert.equal(garbage.status, 400);
    assert.equal(garbage.json.errorCode, 'INVALID_CONTEXT');
    // Any content type: OFREP clients send JSON, and the body is read as sent either way.
    const text = await ofrep('/new-checkout', {
      rawBody: '{"context":{}}',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(text.status, 200, text.text);
  });

  test('evaluations need a token of any role, like every read of the API', async () => {
    const anonymous = await h.api('POST', '/ofrep/v1/evaluate/flags/new-checkout', { body: { context: {} } });
    assert.equal(anonymous.status, 401);
    const bulk = await h.api('POST', '/ofrep/v1/evaluate/flags', { body: { context: {} } });
    assert.equal(bulk.status, 401);
    const bad = await h.api('POST', '/ofrep/v1/evaluate/flags', { body: {}, token: 'slw_nope' });
    assert.equal(bad.status, 401);
    for (const role of ['viewer', 'deployer', 'approver', 'admin'] as const)
      assert.equal((await ofrep('/new-checkout', { body: {}, token: h.tokens[role] })).status, 200, role);
    const big = await ofrep('', { rawBody: JSON.stringify({ context: { pad: 'x'.repeat(70_000) } }) });
    assert.equal(big.status, 413);
  });

  test('CORS: preflights need no token; answers, refusals and 304s may be read by any origin', async () => {
    const origin = { origin: 'http://127.0.0.1:1' };
    for (const path of ['/ofrep/v1/evaluate/flags', '/ofrep/v1/evaluate/flags/new-checkout']) {
      // A browser's preflight: no token, no cookie.
      const preflight = await h.api('OPTIONS', path, {
        headers: {
          ...origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,if-none-match',
        },
      });
      assert.equal(preflight.status, 204, `${path}: ${preflight.text}`);
      assert.equal(preflight.text, '');
      assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
      assert.equal(preflight.headers.get('access-control-allow-methods'), 'POST');
      const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
      for (const header of ['content-type', 'if-none-match', 'authorization'])
        assert.ok(allowed.includes(header), `${path}: ${header} allowed`);
      assert.equal(preflight.headers.get('access-control-expose-headers'), 'ETag');
      assert.ok(Number(preflight.headers.get('access-control-max-age')) > 0);
      assert.equal(preflight.headers.get('access-control-allow-credentials'), null);
    }
    const single = await ofrep('/new-checkout', { body: {}, headers: origin });
    assert.equal(single.status, 200, single.text);
    assert.equal(single.headers.get('access-control-allow-origin'), '*');
    const bulk = await ofrep('', { body: {}, headers: origin });
    assert.equal(bulk.status, 200);
    assert.equal(bulk.headers.get('access-control-expose-headers'), 'ETag');
    const etag = bulk.headers.get('etag') ?? '';
    const same = await ofrep('', { body: {}, headers: { ...origin, 'if-none-match': etag } });
    assert.equal(same.status, 304);
    assert.equal(same.headers.get('access-control-allow-origin'), '*');
    assert.equal(same.headers.get('access-control-expose-headers'), 'ETag');
    // A refusal is readable too, so a browser application learns why, and grants no credentials.
    const anonymous = await h.api('POST', '/ofrep/v1/evaluate/flags', { body: {}, headers: origin });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('access-control-allow-origin'), '*');
    assert.equal(anonymous.headers.get('access-control-allow-credentials'), null);
    const big = await ofrep('', { rawBody: JSON.stringify({ context: { pad: 'x'.repeat(70_000) } }) });
    assert.equal(big.status, 413);
    assert.equal(big.headers.get('access-control-allow-origin'), '*');
    // The rest of the API grants no origin anything.
    const api = await h.api('OPTIONS', '/api/v1/flags', {
      headers: { ...origin, 'access-control-request-method': 'GET' },
    });
    assert.equal(api.headers.get('access-control-allow-origin'), null);
    const list = await h.api('GET', '/api/v1/flags', { token: h.tokens.viewer, headers: origin });
    assert.equal(list.status, 200, list.text);
    assert.equal(list.headers.get('access-control-allow-origin'), null);
  });

  test('a bulk evaluation has an ETag; If-None-Match gets a 304 until the answer changes', async () => {
    const context = { context: { targetingKey: 'u1', email: 'a@example.com' } };
    const first = await ofrep('', { body: context });
    assert.equal(first.status, 200, first.text);
    const etag = first.headers.get('etag');
    assert.ok(etag, 'an ETag');
    assert.deepEqual(first.json.metadata, { flagSetId: 'shop' });
    const values = Object.fromEntries(
      first.json.flags.map((f: { key: string; value: unknown }) => [f.key, f.value]),
    );
    assert.deepEqual(values, { 'new-checkout': false, discount: 10 });
    const same = await ofrep('', { body: context, headers: { 'if-none-match': etag } });
    assert.equal(same.status, 304);
    assert.equal(same.text, '');
    assert.equal(same.headers.get('etag'), etag);
    const weak = await ofrep('', { body: context, headers: { 'if-none-match': `"other", W/${etag}` } });
    assert.equal(weak.status, 304);
    // Another context with another answer is a 200 with another ETag.
    const other = await ofrep('', {
      body: { context: { targetingKey: 'u2' } },
      headers: { 'if-none-match': etag },
    });
    assert.equal(other.status, 200);
    assert.notEqual(other.headers.get('etag'), etag);
    // A change of the flag set changes the answer: no 304 for the old ETag.
    const set = await h.api('POST', '/api/v1/flags/new-checkout/set', {
      token: h.tokens.deployer,
      body: { variant: 'on' },
    });
    assert.equal(set.status, 200, set.text);
    const changed = await ofrep('', { body: context, headers: { 'if-none-match': etag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
    const reset = await h.api('POST', '/api/v1/flags/new-checkout/set', {
      token: h.tokens.deployer,
      body: { variant: 'off' },
    });
    assert.equal(reset.status, 200, reset.text);
  });

  test('a change made by the CLI in the same store is served within a second', TIMEOUT, async () => {
    const before = await ofrep('/new-checkout', { body: {} });
    assert.equal(before.json.value, false);
    const started = Date.now();
    const { code, out, err } = await cli({}, 'flags', 'set', 'new-checkout', 'on');
    assert.equal(code, 0, err);
    assert.match(out, /flag new-checkout: version \d+ \(set\)/);
    const recorded = Date.now();
    let servedAt: number | undefined;
    while (Date.now() - recorded < 3_000) {
      if ((await ofrep('/new-checkout', { body: {} })).json.value === true) {
        servedAt = Date.now();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(servedAt !== undefined, 'the change is served');
    assert.ok(servedAt - recorded < 1_000, `served ${servedAt - recorded} ms after the CLI recorded it`);
    const history = await h.api('GET', '/api/v1/flags/new-checkout/history', { token: h.tokens.viewer });
    const last = history.json.versions.at(-1);
    assert.deepEqual([last.actor, last.source, last.change], ['carol', 'cli', 'set']);
    assert.ok(recorded - started < 20_000);
  });

  test(
    'the CLI with --server changes a flag through the API and says where it is served',
    TIMEOUT,
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'slipway-flags-remote-'));
      try {
        const remote = async (role: keyof Harness['tokens'], ...argv: string[]) => {
          const io = captureIo(dir, { PATH: process.env.PATH, NO_COLOR: '1', SLIPWAY_TOKEN: h.tokens[role] });
          const code = await main(['--server', h.url, ...argv], io);
          return { code, out: io.out(), err: io.err() };
        };
        const disabled = await remote('deployer', 'flags', 'disable', 'discount');
        assert.equal(disabled.code, 0, disabled.err);
        assert.match(disabled.out, /flag discount: version 2 \(disable\)/);
        assert.match(disabled.out, new RegExp(`served by the server ${h.url.replace(/[.]/g, '\\.')}`));
        assert.equal((await ofrep('/discount', { body: {} })).json.reason, 'DISABLED');
        const list = await remote('viewer', '--json', 'flags', 'list');
        assert.equal(list.code, 0, list.err);
        const discount = JSON.parse(list.out).flags.find((f: { key: string }) => f.key === 'discount');
        assert.deepEqual(
          [discount.state, discount.version, discount.lastChange.actor, discount.lastChange.source],
          ['DISABLED', 2, 'deployer-token', 'api'],
        );
        const forbidden = await remote('viewer', 'flags', 'enable', 'discount');
        assert.equal(forbidden.code, 1, 'a refused token exits 1');
        const unknown = await remote('deployer', 'flags', 'set', 'discount', 'lots');
        assert.equal(unknown.code, 2);
        assert.match(unknown.err, /has no variant 'lots'/);
        const history = await remote('viewer', 'flags', 'history', 'discount');
        assert.equal(history.code, 0, history.err);
        assert.match(history.out, /v2 .* deployer-token +disable \(api\) +state ENABLED -> DISABLED/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
