// packages/openfeature-hook with the real OpenFeature server SDK (its in-memory provider) behind a
// real node:http server: which evaluations reach the x-slipway-flag-variants header, and when.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { InMemoryProvider, OpenFeature } from '@openfeature/server-sdk';
import {
  FLAG_VARIANTS_HEADER,
  FlagVariantsHook,
  flagVariantsHeader,
  runWithFlagVariants,
  withFlagVariants,
} from '../../packages/openfeature-hook/index.js';
import { FLAG_VARIANTS_HEADER as ROUTER_HEADER } from '../../src/platform/traffic-metrics.js';
import { delay, guardProcess, listen, send } from './helpers/harness.js';

guardProcess();

const provider = new InMemoryProvider({
  checkout: {
    variants: { on: true, off: false },
    defaultVariant: 'off',
    disabled: false,
    contextEvaluator: (ctx) => (ctx.targetingKey === 'on-user' ? 'on' : 'off'),
  },
  theme: { variants: { dark: 'dark', light: 'light' }, defaultVariant: 'dark', disabled: false },
  'odd key': { variants: { a: 'a' }, defaultVariant: 'a', disabled: false },
  comma: { variants: { 'x,y': 'x' }, defaultVariant: 'x,y', disabled: false },
  ...Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [
      `many-${i}`,
      { variants: { v: 'v' }, defaultVariant: 'v', disabled: false },
    ]),
  ),
});
const flags = OpenFeature.getClient('hook-test');
flags.addHooks(new FlagVariantsHook());

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const routes: Record<string, Handler> = {
  // Headers written implicitly by end().
  '/implicit': async (req, res) => {
    const user = new URL(req.url ?? '/', 'http://x').searchParams.get('user') ?? '';
    await flags.getBooleanValue('checkout', false, { targetingKey: user });
    await delay(Math.random() * 5); // interleave concurrent requests
    await flags.getStringValue('theme', 'light');
    res.end('ok');
  },
  // writeHead with raw array headers; a later evaluation cannot reach the header.
  '/explicit': async (_req, res) => {
    await flags.getBooleanValue('checkout', false, { targetingKey: 'on-user' });
    res.writeHead(201, ['content-type', 'text/plain']);
    await flags.getStringValue('theme', 'light');
    res.end(flagVariantsHeader() ?? '');
  },
  // No variant (unknown flag: the code default), unusable names, and a duplicate.
  '/skipped': async (_req, res) => {
    await flags.getBooleanValue('missing', false);
    await flags.getStringValue('odd key', 'z');
    await flags.getStringValue('comma', 'z');
    await flags.getStringValue('theme', 'light');
    await flags.getStringValue('theme', 'light');
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end();
  },
  '/many': async (_req, res) => {
    for (let i = 0; i < 20; i++) await flags.getStringValue(`many-${i}`, 'z');
    res.end();
  },
  '/own-header': async (_req, res) => {
    await flags.getStringValue('theme', 'light');
    res.setHeader(FLAG_VARIANTS_HEADER, 'set=by-app');
    res.end();
  },
  '/none': async (_req, res) => {
    res.end();
  },
};

describe('@slipway/openfeature-hook', () => {
  let server: Server;
  let port = 0;

  before(async () => {
    await OpenFeature.setProviderAndWait('hook-test', provider);
    server = createServer(
      withFlagVariants(async (req, res) => {
        const handler = routes[new URL(req.url ?? '/', 'http://x').pathname];
        if (handler) await handler(req, res);
        else res.writeHead(404).end();
      }),
    );
    port = await listen(server);
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await OpenFeature.clearProviders();
  });

  test('names the header the router reads', () => {
    assert.equal(FLAG_VARIANTS_HEADER, ROUTER_HEADER);
  });

  test('sets the header when end() writes the headers, per request even when they interleave', async () => {
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(port, { path: `/implicit?user=${i % 2 === 0 ? 'on-user' : `u-${i}`}` }),
      ),
    );
    replies.forEach((reply, i) => {
      assert.equal(reply.status, 200);
      assert.equal(
        reply.headers[FLAG_VARIANTS_HEADER],
        i % 2 === 0 ? 'checkout=on, theme=dark' : 'checkout=off, theme=dark',
      );
    });
  });

  test('sets it in writeHead with array headers, leaving out evaluations made afterwards', async () => {
    const reply = await send(port, { path: '/explicit' });
    assert.equal(reply.status, 201);
    assert.equal(reply.headers['content-type'], 'text/plain');
    assert.equal(reply.headers[FLAG_VARIANTS_HEADER], 'checkout=on');
    assert.equal(reply.text, 'checkout=on', 'the evaluation after the headers is not recorded');
  });

  test('skips evaluations without a variant or with names the header cannot carry, and duplicates', async () => {
    const reply = await send(port, { path: '/skipped' });
    assert.equal(reply.headers[FLAG_VARIANTS_HEADER], 'theme=dark');
  });

  test('names at most 16 pairs', async () => {
    const reply = await send(port, { path: '/many' });
    const pairs = String(reply.headers[FLAG_VARIANTS_HEADER]).split(', ');
    assert.equal(pairs.length, 16);
    assert.equal(pairs[15], 'many-15=v');
  });

  test('leaves a header the application set and sets none when nothing was evaluated', async () => {
    assert.equal((await send(port, { path: '/own-header' })).headers[FLAG_VARIANTS_HEADER], 'set=by-app');
    assert.equal((await send(port, { path: '/none' })).headers[FLAG_VARIANTS_HEADER], undefined);
  });

  test('records nothing outside a request; runWithFlagVariants gives code its own record', async () => {
    await flags.getStringValue('theme', 'light');
    assert.equal(flagVariantsHeader(), undefined);
    const value = await runWithFlagVariants(async () => {
      await flags.getBooleanValue('checkout', false, { targetingKey: 'on-user' });
      return flagVariantsHeader();
    });
    assert.equal(value, 'checkout=on');
  });
});
