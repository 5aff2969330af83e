// The same contract for every dependency kind: ok against a real server, refused quickly, bounded against a silent peer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ResolvedDependency } from '../../../src/config/resolved.js';
import { checkDependency } from '../../../src/platform/health/check-dependency.js';
import { closedPort, eventually, httpPeer, type Peer, silentPeer } from './helpers/peers.js';
import { SERVICES } from './helpers/services.js';

const SILENT_TIMEOUT_MS = 500;
const SLACK_MS = 400;

interface Kind {
  readonly kind: ResolvedDependency['kind'];
  /** The URL of a working server. */
  readonly url: () => string;
  /** The same kind of URL pointing at another port. */
  readonly at: (port: number) => string;
  readonly okMessage: RegExp;
}

let web: Peer;
before(async () => {
  web = await httpPeer((_req, res) => res.writeHead(204).end());
});
after(() => web.close());

const KINDS: readonly Kind[] = [
  {
    kind: 'postgres',
    url: () => SERVICES.postgres,
    at: (port) => `postgres://postgres@127.0.0.1:${port}/test`,
    okMessage: /^ok \(PostgreSQL \d+\.\d+/,
  },
  {
    kind: 'redis',
    url: () => SERVICES.redis,
    at: (port) => `redis://127.0.0.1:${port}`,
    okMessage: /^ok \(Redis \d+\.\d+\.\d+\)$/,
  },
  {
    kind: 'rabbitmq',
    url: () => SERVICES.rabbitmq,
    at: (port) => `amqp://guest:guest@127.0.0.1:${port}/`,
    okMessage: /^ok \(RabbitMQ \d+\.\d+\.\d+\)$/,
  },
  {
    kind: 'http',
    url: () => `http://127.0.0.1:${web.port}/health`,
    at: (port) => `http://127.0.0.1:${port}/health`,
    okMessage: /^HTTP 204$/,
  },
];

for (const { kind, url, at, okMessage } of KINDS) {
  describe(`dependency contract: ${kind}`, () => {
    test('is ok against a working server, with a version where the protocol gives one', async () => {
      const result = await checkDependency({ name: 'dep', kind, url: url(), timeoutMs: 5000 }, {});
      assert.equal(result.ok, true, `${kind}: ${result.message} (is the server running at ${url()}?)`);
      assert.match(result.message, okMessage);
      assert.equal(result.name, 'dep');
      assert.equal(result.kind, kind);
      assert.ok(result.latencyMs > 0 && result.latencyMs < 5000, `latency ${result.latencyMs}`);
    });

    test('a closed port is refused quickly', async () => {
      const started = Date.now();
      const result = await checkDependency(
        { name: 'dep', kind, url: at(await closedPort()), timeoutMs: 5000 },
        {},
      );
      assert.deepEqual([result.ok, result.message], [false, 'connection refused']);
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    });

    test('a peer that accepts and never answers times out within the timeout, and is let go', async () => {
      const silent = await silentPeer();
      try {
        const started = Date.now();
        const result = await checkDependency(
          { name: 'dep', kind, url: at(silent.port), timeoutMs: SILENT_TIMEOUT_MS },
          {},
        );
        const took = Date.now() - started;
        assert.deepEqual([result.ok, result.message], [false, `timed out after ${SILENT_TIMEOUT_MS} ms`]);
        assert.ok(took >= SILENT_TIMEOUT_MS - 10 && took < SILENT_TIMEOUT_MS + SLACK_MS, `took ${took} ms`);
        assert.ok(await eventually(() => silent.openSockets() === 0), 'the check left its connection open');
      } finally {
        await silent.close();
      }
    });

    test('a password in the URL never shows in the target', async () => {
      const withPassword = at(await closedPort())
        .replace('://', '://user:hunter2@')
        .replace('guest:guest@', '');
      const result = await checkDependency({ name: 'dep', kind, url: withPassword, timeoutMs: 2000 }, {});
      assert.equal(result.ok, false);
      assert.ok(!result.target.includes('hunter2'), result.target);
      assert.match(result.target, /user:\*\*\*@127\.0\.0\.1/);
    });
  });
}
