// Secrets reach the job but never its stored or streamed output, nor the bytes of the state database.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { show } from './helpers/cli.js';
import { logTextOf, runIdOf, statusByJob } from './helpers/events.js';
import { waitFor } from './helpers/processes.js';
import { createProject, type Project } from './helpers/project.js';

const MY_TOKEN = 'supersecret';
const FILE_TOKEN = 'hunter2-from-file-91b7';
const SECRETS_FILE = `# secrets of this project\nFILE_TOKEN=${FILE_TOKEN}\n`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The value and its base64 form (without padding, which depends on what follows it). */
function forms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64').replace(/=+$/, '')];
}

/** Fails when any form of any secret occurs in `text`. */
function assertNoSecret(where: string, text: string): void {
  for (const secret of [MY_TOKEN, FILE_TOKEN]) {
    for (const form of forms(secret)) {
      assert.ok(
        !text.includes(form),
        `${where} contains ${form === secret ? 'the secret' : 'its base64'} ${form}`,
      );
    }
  }
}

/** The raw bytes of state.db and its -wal/-shm/-journal files, as latin1 so any byte sequence matches. */
function databaseBytes(project: Project): { files: string[]; text: string } {
  const files = readdirSync(project.path('.slipway')).filter((name) => name.startsWith('state.db'));
  const text = files
    .map((name) => readFileSync(project.path(`.slipway/${name}`)).toString('latin1'))
    .join('\n');
  return { files, text };
}

/** Every file under .slipway except secrets.env (which holds secrets by design), as latin1 text by path. */
function slipwayDirFiles(project: Project): Map<string, string> {
  const out = new Map<string, string>();
  const root = project.path('.slipway');
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    const name = relative(root, path);
    if (name === 'secrets.env') continue;
    out.set(name, readFileSync(path).toString('latin1'));
  }
  return out;
}

describe('secrets', { concurrency: true }, () => {
  test('a job sees its secrets; logs, the JSON stream, events and state.db never hold them', async (t) => {
    const project = createProject(t, 'secrets-env-and-file.yaml', {
      files: { '.slipway/secrets.env': SECRETS_FILE },
    });
    const { result, events } = await project.runJson(['run'], { env: { MY_TOKEN } });
    assert.equal(result.code, 0, show(result));
    assert.deepEqual(statusByJob(events), { uses_secrets: 'success' });

    await t.test('the job saw both values', () => {
      assert.equal(project.read('seen-my-token.sha256').trim(), sha256(MY_TOKEN));
      assert.equal(project.read('seen-file-token.sha256').trim(), sha256(FILE_TOKEN));
    });

    await t.test('the --json stream shows the lines, masked', () => {
      const log = logTextOf(events, 'uses_secrets');
      assert.ok(
        log.some((line) => line.startsWith('token is ')),
        `no "token is" line: ${log.join('\n')}`,
      );
      assert.ok(log.some((line) => line.startsWith('file token is ')));
      assert.ok(log.filter((line) => line.startsWith('base64 ')).length === 2);
      assertNoSecret('slipway run --json', result.stdout + result.stderr);
    });

    const id = runIdOf(events);
    await t.test('`slipway logs` (plain and --json) is masked', async () => {
      const plain = await project.run(['logs', String(id)]);
      assert.equal(plain.code, 0, show(plain));
      assert.match(plain.stdout, /token is /);
      assertNoSecret('slipway logs', plain.stdout);
      const json = await project.run(['logs', String(id), '--json']);
      assert.equal(json.code, 0, show(json));
      assertNoSecret('slipway logs --json', json.stdout);
    });

    await t.test('`slipway events --json` holds no secret', async () => {
      const listed = await project.run(['events', '--json']);
      assert.equal(listed.code, 0, show(listed));
      assert.match(listed.stdout, /taskrun\.finished/);
      assertNoSecret('slipway events --json', listed.stdout);
    });

    await t.test('no byte of state.db (or its WAL) holds a secret', () => {
      const { files, text } = databaseBytes(project);
      assert.ok(files.includes('state.db'), `no state.db in ${files.join(', ')}`);
      assertNoSecret(`.slipway/${files.join(', ')}`, text);
    });
  });

  test('a secret published as a job output is not written to state.db', async (t) => {
    const project = createProject(t, 'secret-written-to-outputs.yaml');
    const { result, events } = await project.runJson(['run'], { env: { MY_TOKEN } });
    // Whether the output is dropped or masked is the engine's choice; it must not reach the disk.
    assert.ok(statusByJob(events).publishes_secret !== undefined, show(result));
    assertNoSecret('slipway run --json', result.stdout);
    const { files, text } = databaseBytes(project);
    assertNoSecret(`.slipway/${files.join(', ')}`, text);
  });

  // Beyond the written contract (which names state.db): no other file slipway keeps under .slipway/.
  test('no file under .slipway/ holds a secret, even after the runner is killed mid-job', async (t) => {
    const project = createProject(t, 'secret-job-killed-mid-run.yaml');
    const running = project.start(['run', '--json'], { env: { MY_TOKEN } });
    await running.waitForStdout(/token is /);
    await waitFor(() => project.exists('holder.pid'), 'the job to block');
    running.child.kill('SIGKILL');
    await running.result;
    assertNoSecret('slipway run --json', running.stdout());
    for (const [name, text] of slipwayDirFiles(project)) assertNoSecret(`.slipway/${name}`, text);
  });
});
