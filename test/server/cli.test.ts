// `slipway server` and `slipway token`: the loopback guard, tokens made locally and shown once, and a real server process.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { signWebhookBody } from '../../src/server/webhook-signature.js';
import { captureIo } from '../helpers/capture-io.js';

const CONFIG = `version: 1
project: { name: cli-server }
jobs:
  hello: { run: echo hi }
`;

/** `slipway server ARGS --json` from source in a child process, once it printed its listening line. */
async function serveInChild(
  cwd: string,
  args: string[],
): Promise<{ url: string; child: ChildProcess; exited: Promise<number | null>; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      join(import.meta.dirname, 'helpers', 'cli-child.ts'),
      '--json',
      'server',
      ...args,
    ],
    { cwd, env: { ...process.env, SLIPWAY_DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line; stderr: ${stderr}`)), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /listening on (https?:\/\/\S+)/.exec(JSON.parse(line).message);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}: ${stderr}`));
    });
  });
  return { url, child, exited, stderr: () => stderr };
}

describe('slipway server and token commands', () => {
  let dir: string;
  const run = async (...argv: string[]) => {
    const io = captureIo(dir, { PATH: process.env.PATH, SLIPWAY_ACTOR: 'tester' });
    const code = await main(argv, io);
    return { code, out: io.out(), err: io.err() };
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-server-cli-'));
    await writeFile(join(dir, 'slipway.yaml'), CONFIG);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('refuses a non-loopback host without --insecure (exit 2), and a bad port', async () => {
    const refused = await run('server', '--host', '0.0.0.0');
    assert.equal(refused.code, 2);
    assert.match(refused.err, /refusing to serve on 0\.0\.0\.0 without TLS.*--insecure/);
    const port = await run('server', '--port', 'http');
    assert.equal(port.code, 2);
    assert.match(port.err, /--port must be a number/);
    await writeFile(join(dir, 'empty-secret'), '\n');
    const empty = await run('server', '--port', '0', '--webhook-secret-file', 'empty-secret');
    assert.equal(empty.code, 2);
    assert.match(empty.err, /--webhook-secret-file empty-secret is empty/);
    const missing = await run('server', '--port', '0', '--webhook-secret-file', 'no-such-file');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read --webhook-secret-file no-such-file/);
  });

  test('token create prints the token once; list never shows it; revoke; bad roles and duplicate names are usage errors', async () => {
    const created = await run('--json', 'token', 'create', '--role', 'admin', '--name', 'first-admin');
    assert.equal(created.code, 0, created.err);
    const json = JSON.parse(created.out);
    assert.deepEqual(Object.keys(json).sort(), ['name', 'role', 'token']);
    assert.equal(json.name, 'first-admin');
    assert.equal(json.role, 'admin');
    assert.match(json.token, /^slw_[A-Za-z0-9_-]{43}$/);
    const text = await run('token', 'create', '--role', 'viewer', '--name', 'dash');
    assert.equal(text.code, 0);
    assert.match(text.out, /token 'dash' \(viewer\): slw_\S+\nit is shown only now/);
    const duplicate = await run('token', 'create', '--role', 'viewer', '--name', 'dash');
    assert.equal(duplicate.code, 2);
    assert.match(duplicate.err, /already exists/);
    const badRole = await run('token', 'create', '--role', 'root', '--name', 'x');
    assert.equal(badRole.code, 2);
    assert.match(badRole.err, /--role must be one of viewer, deployer, approver, admin/);
    const listed = await run('--json', 'token', 'list');
    assert.ok(!listed.out.includes('slw_'), 'no token in the listing');
    const rows = listed.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      rows.map((r) => [r.name, r.role, r.createdBy, r.revokedAt]),
      [
        ['first-admin', 'admin', 'tester', null],
        ['dash', 'viewer', 'tester', null],
      ],
    );
    assert.equal((await run('token', 'revoke', 'dash')).code, 0);
    const again = await run('token', 'revoke', 'dash');
    assert.equal(again.code, 2);
    assert.match(again.err, /no active token named 'dash'/);
  });

  test('`slipway server --port 0` serves the API with a token made by `slipway token create`, and stops on SIGTERM', async () => {
    const made = await run('--json', 'token', 'create', '--role', 'deployer', '--name', 'ci');
    const { token } = JSON.parse(made.out);
    await writeFile(join(dir, 'webhook-secret'), 'from-a-file\n');
    const server = await serveInChild(dir, ['--port', '0', '--webhook-secret-file', 'webhook-secret']);
    const { url, child } = server;
    try {
      assert.equal((await fetch(`${url}/api/v1/runs`)).status, 401);
      const runs = await fetch(`${url}/api/v1/runs`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(runs.status, 200);
      assert.deepEqual(await runs.json(), { runs: [] });
      const ping = (secret: string) =>
        fetch(`${url}/api/v1/hooks/github`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'ping',
            'x-github-delivery': 'cli-ping',
            'x-hub-signature-256': signWebhookBody(secret, '{"zen":"hi"}'),
          },
          body: '{"zen":"hi"}',
        });
      assert.equal(
        (await ping('from-a-file')).status,
        202,
        'the secret is read from the file, newline dropped',
      );
      assert.equal((await ping('from-a-file\n')).status, 401);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await server.exited, 0, server.stderr());
  });

  test('with --tls-cert and --tls-key it serves HTTPS, on a non-loopback host too; half or bad TLS settings are usage errors', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    const made = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ]),
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    const half = await run('server', '--port', '0', '--tls-cert', 'cert.pem');
    assert.equal(half.code, 2);
    assert.match(half.err, /--tls-cert and --tls-key go together/);
    await writeFile(join(dir, 'not-pem'), 'hello');
    const bad = await run('server', '--port', '0', '--tls-cert', 'not-pem', '--tls-key', 'key.pem');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--tls-cert not-pem is not a PEM file/);

    const server = await serveInChild(dir, [
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--tls-cert',
      'cert.pem',
      '--tls-key',
      'key.pem',
    ]);
    const { child } = server;
    const port = /^https:\/\/[^:]+:(\d+)/.exec(server.url)?.[1];
    assert.ok(port, server.url);
    try {
      const ca = await readFile(cert);
      const get = (options: { ca?: Buffer }) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const request = https.get(`https://127.0.0.1:${port}/healthz`, options, (response) => {
            let body = '';
            response.on('data', (chunk) => {
              body += String(chunk);
            });
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          });
          request.on('error', reject);
        });
      assert.deepEqual(await get({ ca }), { status: 200, body: '{"status":"ok"}' });
      await assert.rejects(get({}), /self-signed certificate/, 'a client that does not trust it refuses');
      await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'no plain HTTP on the TLS port');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await server.exited, 0, server.stderr());
  });
});
