// Publishing flags to many hosts: in parallel, every reachable host served, each failure named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlagSnapshot } from '../../flags/flag-engine.js';
import { PlatformError } from '../errors.js';
import type { FlagPublisher, FlagServing, PublishedFlags } from '../flag-publisher.js';
import { FlagsNotPublishedError, HostsFlagPublisher } from './hosts-flag-publisher.js';

const SNAPSHOT: FlagSnapshot = { version: 4, document: { flags: {} } };
const SERVING: FlagServing = { host: '127.0.0.1', port: 8016 };

/** A host's publisher answering after `ms`, or failing with `error`; `log` records start and end. */
function fakeHost(name: string, ms: number, log: string[], error?: Error): FlagPublisher {
  return {
    publishFlags: async (snapshot): Promise<readonly PublishedFlags[]> => {
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${name}`);
      if (error) throw error;
      return [{ host: name, version: snapshot.version, url: `http://127.0.0.1:8016` }];
    },
  };
}

test('every host is sent the set at once; the answers come back in host order', async () => {
  const log: string[] = [];
  const publisher = new HostsFlagPublisher([
    { name: 'web-1', publisher: fakeHost('web-1', 60, log) },
    { name: 'web-2', publisher: fakeHost('web-2', 10, log) },
    { name: 'web-3', publisher: fakeHost('web-3', 30, log) },
  ]);
  const published = await publisher.publishFlags(SNAPSHOT, SERVING);
  assert.deepEqual(
    published.map((p) => [p.host, p.version]),
    [
      ['web-1', 4],
      ['web-2', 4],
      ['web-3', 4],
    ],
  );
  assert.deepEqual(log.slice(0, 3), ['start web-1', 'start web-2', 'start web-3']);
});

test('a host that cannot be reached is named after every other host answered', async () => {
  const log: string[] = [];
  const down = new PlatformError('AGENT_UNAVAILABLE', 'the agent on root@10.9.0.2 does not answer');
  const publisher = new HostsFlagPublisher([
    { name: 'web-1', publisher: fakeHost('web-1', 1, log, down) },
    { name: 'web-2', publisher: fakeHost('web-2', 50, log) },
  ]);
  await assert.rejects(publisher.publishFlags(SNAPSHOT, SERVING), (error: unknown) => {
    assert.ok(error instanceof FlagsNotPublishedError);
    assert.equal(error.code, 'FLAGS_NOT_PUBLISHED');
    assert.equal(error.kind, 'unavailable');
    assert.equal(
      error.message,
      'flag set version 4 did not reach 1 of 2 host(s): host web-1: the agent on root@10.9.0.2 does not answer',
    );
    assert.deepEqual(
      error.published.map((p) => p.host),
      ['web-2'],
    );
    assert.deepEqual(
      error.failures.map((f) => f.host),
      ['web-1'],
    );
    assert.equal(error.cause, down);
    return true;
  });
  assert.ok(log.includes('end web-2'), 'the reachable host got the set');
});

test('a message that names the host already is not prefixed again; other failures are `failed`', async () => {
  const log: string[] = [];
  const publisher = new HostsFlagPublisher([
    { name: 'a', publisher: fakeHost('a', 1, log, new Error('Cannot reach host a (root@10.0.0.1)')) },
    { name: 'b', publisher: fakeHost('b', 1, log, new Error('boom')) },
  ]);
  await assert.rejects(publisher.publishFlags(SNAPSHOT, SERVING), (error: unknown) => {
    assert.ok(error instanceof FlagsNotPublishedError);
    assert.equal(error.kind, 'failed');
    assert.match(error.message, /2 of 2 host\(s\): Cannot reach host a \(root@10\.0\.0\.1\); host b: boom$/);
    return true;
  });
});
