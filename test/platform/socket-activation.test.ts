// Socket activation with real processes: a server that reads LISTEN_FDS through readListenFds serves
// the passed port, and while a holder keeps the socket (as systemd does) a kill -9 of the server
// refuses nothing: the request waits in the backlog and the replacement answers it.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { SYSTEMD_SOCKET_ACTIVATE, skipWithout } from '../helpers/outside-program.js';
import { ROOT } from './helpers.js';

const FIXTURES = join(ROOT, 'test', 'platform', 'fixtures', 'socket-activation');
const SERVER = [process.execPath, '--import', 'tsx', join(FIXTURES, 'activated-server.ts')];

interface Answer {
  readonly pid: number;
  readonly name: string;
  readonly port: number | null;
}

/** One GET on a fresh connection, so a request never rides on a socket of a dead server. */
function get(port: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 15_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve(JSON.parse(body) as Answer));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** The JSON lines a process prints, one at a time, each within 20 s. */
function jsonLines(child: ChildProcess): () => Promise<Record<string, unknown>> {
  const queue: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else queue.push(line);
  });
  return () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no line within 20 s')), 20_000);
      const take = (line: string) => {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Record<string, unknown>);
      };
      const queued = queue.shift();
      if (queued !== undefined) take(queued);
      else waiters.push(take);
    });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitDead(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.ok(!isAlive(pid), `process ${pid} still runs`);
}

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('socket activation', () => {
  test('kill -9 of the server while the socket is held: the request sent meanwhile is answered by the replacement', async () => {
    const holder = spawn(
      process.execPath,
      [join(FIXTURES, 'socket-holder.mjs'), '2', 'prod', '--', ...SERVER],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(holder);
    const next = jsonLines(holder);
    const { port } = (await next()) as { port: number };
    const first = (await next()) as { pid: number; ready: string[] };
    assert.deepEqual(first.ready, [`prod-${port}`]);
    assert.deepEqual(await get(port), { pid: first.pid, name: `prod-${port}`, port });

    process.kill(first.pid, 'SIGKILL');
    await waitDead(first.pid);
    let replacementUp = false;
    const secondReady = next().then((line) => {
      replacementUp = true;
      return line as { pid: number; ready: string[] };
    });
    // Sent while no process serves the port: with the socket closed this would be ECONNREFUSED.
    const answered = get(port);
    assert.equal(replacementUp, false, 'the replacement was up before the request was sent');
    const second = await secondReady;
    assert.notEqual(second.pid, first.pid);
    assert.deepEqual(await answered, { pid: second.pid, name: `prod-${port}`, port });

    process.kill(second.pid, 'SIGKILL');
    const code = await new Promise<number | null>((resolve) => holder.on('exit', resolve));
    assert.equal(code, 0);
  });

  test("systemd's own activation (systemd-socket-activate) passes the named socket the reader finds", {
    skip: skipWithout(SYSTEMD_SOCKET_ACTIVATE),
  }, async () => {
    const port = await freePort();
    const activator = spawn(
      'systemd-socket-activate',
      ['-l', `127.0.0.1:${port}`, `--fdname=prod-${port}`, '-E', 'PATH', ...SERVER],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(activator);
    // It prints "Listening on ..." on stderr once the socket is bound.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('systemd-socket-activate did not listen')), 10_000);
      activator.stderr!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const answer = await get(port);
    assert.equal(answer.name, `prod-${port}`);
    assert.equal(answer.port, port);
    activator.kill('SIGKILL');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}
