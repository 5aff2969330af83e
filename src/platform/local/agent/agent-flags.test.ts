// The flags an agent serves, in one process: versions, bad sets, ports, the flag file and restore.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { FlagSnapshot } from '../../../flags/flag-engine.js';
import { PlatformError } from '../../errors.js';
import { AgentFlags } from './agent-flags.js';

const LOOPBACK = { host: '127.0.0.1', port: 0 };

/** A set whose one flag `color` serves `value`. */
function colorSet(version: number, value: string): FlagSnapshot {
  return {
    version,
    document: { flags: { color: { state: 'ENABLED', variants: { v: value }, defaultVariant: 'v' } } },
  };
}

/** The value `color` evaluates to at `url` (OFREP single evaluation). */
async function color(url: string): Promise<unknown> {
  const res = await fetch(`${url}/ofrep/v1/evaluate/flags/color`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"context":{}}',
    signal: AbortSignal.timeout(5000),
  });
  return ((await res.json()) as { value?: unknown }).value;
}

/** A TCP server holding a loopback port. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

describe('agent flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-agent-flags-'));
  const open: AgentFlags[] = [];
  const flags = (file = join(dir, 'flags.json'), log: string[] = []) => {
    const made = new AgentFlags(file, (line) => log.push(line));
    open.push(made);
    return made;
  };
  after(async () => {
    await Promise.all(open.map((f) => f.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves a set, takes a newer or equal version, ignores an older one', async () => {
    const served = flags(join(dir, 'versions.json'));
    assert.deepEqual(served.status(), { version: 0 });
    assert.deepEqual(served.env(), {});
    const first = await served.publish(colorSet(2, 'red'), LOOPBACK);
    assert.equal(first.version, 2);
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await color(first.url), 'red');
    const newer = await served.publish(colorSet(3, 'blue'), LOOPBACK);
    assert.deepEqual(newer, { version: 3, url: first.url }, 'port 0 keeps the port bound');
    assert.equal(await color(first.url), 'blue');
    const older = await served.publish(colorSet(1, 'green'), { host: '127.0.0.1', port: 1 });
    assert.deepEqual(
      older,
      { version: 3, url: first.url },
      'an older set changes nothing, its address neither',
    );
    assert.equal(await color(first.url), 'blue');
    const same = await served.publish(colorSet(3, 'black'), LOOPBACK);
    assert.equal(same.version, 3);
    assert.equal(await color(first.url), 'black');
    assert.deepEqual(served.env(), { OFREP_ENDPOINT: first.url });
    assert.equal(served.status().url, first.url);
    assert.match(served.status().digest ?? '', /^[0-9a-f]{16}$/);
  });

  test('a set flagd would not take is refused with the reason, and the served one stays', async () => {
    const file = join(dir, 'bad.json');
    const served = flags(file);
    const { url } = await served.publish(colorSet(1, 'red'), LOOPBACK);
    const before = readFileSync(file, 'utf8');
    const bad: FlagSnapshot = {
      version: 2,
      document: { flags: { color: { state: 'ENABLED', variants: { v: 'x' }, defaultVariant: 'nope' } } },
    };
    await assert.rejects(served.publish(bad, LOOPBACK), (error: unknown) => {
      assert.ok(error instanceof PlatformError);
      assert.equal(error.code, 'BAD_REQUEST');
      assert.match(
        error.message,
        /version 2 cannot be served: the flag set is not a valid flagd definition: .*nope/,
      );
      return true;
    });
    assert.equal(served.status().version, 1);
    assert.equal(await color(url), 'red');
    assert.equal(readFileSync(file, 'utf8'), before);
  });

  test('a port in use is refused naming the port; the set and listener served stay', async () => {
    const served = flags(join(dir, 'port.json'));
    const { url } = await served.publish(colorSet(1, 'red'), LOOPBACK);
    const held = await holdPort();
    try {
      await assert.rejects(
        served.publish(colorSet(2, 'blue'), { host: '127.0.0.1', port: held.port }),
        (error: unknown) => {
          assert.ok(error instanceof PlatformError);
          assert.equal(error.code, 'PORT_IN_USE');
          assert.equal(error.kind, 'conflict');
          assert.match(error.message, new RegExp(`port ${held.port} is already in use`));
          return true;
        },
      );
    } finally {
      held.server.close();
    }
    assert.deepEqual(served.status().version, 1);
    assert.equal(await color(url), 'red');
    // Moving to a free port closes the old listener.
    const moved = await served.publish(colorSet(2, 'blue'), { host: '127.0.0.1', port: held.port });
    assert.equal(moved.url, `http://127.0.0.1:${held.port}`);
    assert.equal(await color(moved.url), 'blue');
    await assert.rejects(color(url));
  });

  test('moving to another address on the same port frees the port first', async () => {
    const served = flags(join(dir, 'move.json'));
    const { url } = await served.publish(colorSet(1, 'red'), LOOPBACK);
    const port = Number(new URL(url).port);
    const moved = await served.publish(colorSet(2, 'blue'), { host: '0.0.0.0', port });
    assert.equal(moved.url, url, 'a wildcard address is reached on loopback');
    assert.equal(await color(url), 'blue');
    assert.deepEqual(served.env(), { OFREP_ENDPOINT: url });
  });

  test('the flag file is private; a new agent serves it again on the same port', async () => {
    const file = join(dir, 'restore.json');
    const first = flags(file);
    const { url } = await first.publish(colorSet(4, 'red'), LOOPBACK);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await first.close();
    await assert.rejects(color(url));
    const log: string[] = [];
    const second = flags(file, log);
    await second.restore();
    assert.equal(second.status().version, 4);
    assert.equal(second.status().url, url);
    assert.equal(await color(url), 'red');
    assert.ok(
      log.some((line) => line.startsWith('serving flags version 4')),
      log.join('\n'),
    );
    // Publishes run one at a time: the last one sent wins whatever their timing.
    const sent = await Promise.all([5, 6, 7].map((v) => second.publish(colorSet(v, `c${v}`), LOOPBACK)));
    assert.deepEqual(
      sent.map((s) => s.version),
      [5, 6, 7],
    );
    assert.equal(await color(url), 'c7');
  });

  test('a restored set whose port is taken is kept and reported; a publish serves it again', async () => {
    const held = await holdPort();
    const file = join(dir, 'taken.json');
    const serving = { host: '127.0.0.1', port: held.port };
    writeFileSync(
      file,
      JSON.stringify({ format: 1, snapshot: colorSet(3, 'red'), serving, port: held.port }),
    );
    const log: string[] = [];
    const served = flags(file, log);
    try {
      await served.restore();
      const status = served.status();
      assert.equal(status.version, 3);
      assert.equal(status.url, undefined);
      assert.match(status.error ?? '', new RegExp(`port ${held.port} is already in use`));
      assert.deepEqual(served.env(), {});
    } finally {
      held.server.close();
    }
    // Even an older set sent now brings the newer one back on its address.
    const again = await served.publish(colorSet(1, 'blue'), LOOPBACK);
    assert.deepEqual(again, { version: 3, url: `http://127.0.0.1:${held.port}` });
    assert.equal(await color(again.url), 'red');
  });

  test('an unreadable flag file is ignored with a warning', async () => {
    const file = join(dir, 'garbage.json');
    writeFileSync(file, '{"format":1,');
    const log: string[] = [];
    const served = flags(file, log);
    await served.restore();
    assert.deepEqual(served.status(), { version: 0 });
    assert.ok(
      log.some((line) => line.startsWith('ignoring unreadable flag file')),
      log.join('\n'),
    );
  });
});
