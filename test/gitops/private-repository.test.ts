// A private repository over HTTP: the token named in gitops.repository.token is read from the
// environment or .slipway/secrets.env and sent as a header, never in the URL or an error.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/capture-io.js';
import { bareDesiredRepository } from './desired-repository.js';
import { type GitHttpServer, startGitHttpServer } from './git-http-server.js';

const TOKEN = 'ghp_s3cretTokenValue';

describe('gitops: a private repository with a token', () => {
  let root: string;
  let project: string;
  let server: GitHttpServer;
  const run = async (env: Record<string, string>, ...argv: string[]) => {
    const io = captureIo(project, { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env });
    const code = await main(argv, io);
    return { code, out: io.out(), err: io.err() };
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'slipway-git-http-'));
    bareDesiredRepository(root);
    server = await startGitHttpServer(root, TOKEN);
    project = join(root, 'project');
    mkdirSync(project);
    writeFileSync(
      join(project, 'slipway.yaml'),
      `version: 1\ngitops:\n  repository: { url: '${server.url}/desired.git', branch: main, path: deploy, token: GITOPS_TOKEN }\n`,
    );
  });
  after(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('the token from the environment opens the repository; it is sent as a header', async () => {
    const out = await run({ GITOPS_TOKEN: TOKEN }, '--json', 'gitops', 'status');
    assert.equal(out.code, 0, out.err);
    const status = JSON.parse(out.out.trim().split('\n')[0] ?? '{}');
    assert.deepEqual(
      status.apps.map((a: { service: string; health: string }) => [a.service, a.health]),
      [['web', 'Missing']],
    );
    const basic = `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
    assert.ok(server.seen.includes(basic), 'the token went in an Authorization header');
  });

  test('a wrong token fails naming the repository, never the token', async () => {
    rmSync(join(project, '.slipway', 'gitops'), { recursive: true, force: true });
    const out = await run({ GITOPS_TOKEN: 'wrong-token-value' }, 'gitops', 'status');
    assert.equal(out.code, 1);
    assert.match(out.err, /git could not fetch http:\/\/127\.0\.0\.1:\d+\/desired\.git/);
    assert.doesNotMatch(out.out + out.err, /wrong-token-value/);
  });

  test('the token may come from .slipway/secrets.env; a secret set nowhere is a clear error', async () => {
    const missing = await run({}, 'gitops', 'status');
    assert.equal(missing.code, 2, missing.err);
    assert.match(
      missing.err,
      /GITOPS_TOKEN is set neither in the environment nor in \.slipway\/secrets\.env/,
    );
    mkdirSync(join(project, '.slipway'), { recursive: true });
    writeFileSync(join(project, '.slipway', 'secrets.env'), `GITOPS_TOKEN=${TOKEN}\n`);
    const fromFile = await run({}, 'gitops', 'status');
    assert.equal(fromFile.code, 0, fromFile.err);
    assert.match(fromFile.out, /web@prod/);
  });
});
