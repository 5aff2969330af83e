/**
 * Configuration versions end to end with the built CLI and the real local agent: env and a secret
 * change with the revision, `config history` shows the diff without a secret value, and
 * `rollback --config-only` runs the current code with the previous settings.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type TestProject, testProject, urlOf } from './helpers.js';

const ENV_APP = join(import.meta.dirname, 'fixtures', 'env-app');
const FIRST = 'first-Secret-value-7d1c';
const SECOND = 'second-Secret-value-93ab';

const YAML = `version: 1
services:
  web:
    run: node server.mjs
    source: app
    instances: 1
    env: { A: 1 }
    secrets: [S]
    health:
      readiness: { http: /healthz, period: 200ms, timeout: 300ms }
    shutdown: { drain: 200ms, timeout: 3s }
environments:
  prod:
    strategy:
      rolling: { maxSurge: 100% }
    analysis: { interval: 300ms, minRequests: 0, failureLimit: 0, inconclusiveLimit: 100 }
`;

/** Every file under `dir` (the store, its WAL, revisions, agent state, logs) as one buffer each. */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  const out: { path: string; bytes: Buffer }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) {
      if (name !== 'source') out.push(...filesUnder(path));
    } else if (stat.isFile() && name !== 'secrets.env') out.push({ path, bytes: readFileSync(path) });
  }
  return out;
}

describe('configuration versions', { timeout: 300_000 }, () => {
  let project: TestProject;
  after(async () => {
    await project?.cleanup();
  });
  const secrets = (value: string) =>
    writeFileSync(join(project.dir, '.slipway', 'secrets.env'), `S=${value}\n`, { mode: 0o600 });
  const shown = async (url: string) => (await (await fetch(`${url}/env`)).json()) as Record<string, string>;

  test('history shows env and secret changes; --config-only brings the previous settings back with the new code', async () => {
    project = testProject(YAML, ENV_APP);
    const outputs: string[] = [];
    const cli = (...args: string[]) => {
      const result = project.cli(...args);
      outputs.push(result.stdout, result.stderr);
      return result;
    };
    const missing = cli('deploy', 'web', '--env', 'prod');
    assert.equal(missing.status, 2, missing.stderr + missing.stdout);
    assert.match(missing.stderr, /needs secret\(s\) S/);

    secrets(FIRST);
    const first = cli('deploy', 'web', '--env', 'prod');
    assert.equal(first.status, 0, first.stderr + first.stdout);
    const url = urlOf(first.stdout);
    assert.deepEqual(await shown(url), { code: 'c1', a: '1', s: FIRST });

    project.edit('env: { A: 1 }', 'env: { A: 2, B: new }');
    secrets(SECOND);
    const app = join(project.dir, 'app', 'server.mjs');
    writeFileSync(app, readFileSync(app, 'utf8').replace("const CODE = 'c1'", "const CODE = 'c2'"));
    const second = cli('deploy', 'web', '--env', 'prod');
    assert.equal(second.status, 0, second.stderr + second.stdout);
    assert.deepEqual(await shown(url), { code: 'c2', a: '2', s: SECOND });

    const history = cli('--json', 'config', 'history', 'web', '--env', 'prod');
    assert.equal(history.status, 0, history.stderr);
    const { versions } = JSON.parse(history.stdout) as {
      versions: { revision: string; env: Record<string, string>; changes: unknown }[];
    };
    assert.equal(versions.length, 2);
    const v1 = versions[1];
    assert.deepEqual(v1?.env, { A: '1' });
    const changes = versions[0]?.changes as {
      env: { key: string; change: string; from?: string; to?: string }[];
      secrets: { key: string; change: string; from: string; to: string }[];
    };
    assert.deepEqual(changes.env, [
      { key: 'A', from: '1', to: '2', change: 'changed' },
      { key: 'B', to: 'new', change: 'added' },
    ]);
    assert.equal(changes.secrets.length, 1);
    assert.equal(changes.secrets[0]?.key, 'S');
    assert.equal(changes.secrets[0]?.change, 'rotated');
    assert.match(changes.secrets[0]?.from ?? '', /^[0-9a-f]{12}$/);
    assert.notEqual(changes.secrets[0]?.from, changes.secrets[0]?.to);
    const text = cli('config', 'history', 'web', '--env', 'prod');
    assert.match(text.stdout, /env {5}A: 1 → 2/);
    assert.match(text.stdout, /secret {2}S: version [0-9a-f]{12} → [0-9a-f]{12} \(rotated\)/);

    // The value S had then is not kept: going back needs it set again.
    const refused = cli('rollback', 'web', '--env', 'prod', '--config-only');
    assert.notEqual(refused.status, 0, refused.stdout);
    assert.match(refused.stderr, /other values of S \(version [0-9a-f]{12}, set now: [0-9a-f]{12}\)/);
    assert.deepEqual(await shown(url), { code: 'c2', a: '2', s: SECOND });

    secrets(FIRST);
    const back = cli('rollback', 'web', '--env', 'prod', '--config-only');
    assert.equal(back.status, 0, back.stderr + back.stdout);
    assert.match(back.stdout, new RegExp(`the code of r-[0-9a-f]{12} with the settings of ${v1?.revision}`));
    assert.deepEqual(await shown(url), { code: 'c2', a: '1', s: FIRST });
    const after = JSON.parse(cli('--json', 'config', 'history', 'web', '--env', 'prod').stdout) as {
      versions: { env: Record<string, string> }[];
    };
    assert.equal(after.versions.length, 3);
    assert.deepEqual(after.versions[0]?.env, { A: '1' });

    outputs.push(cli('--json', 'events').stdout, cli('--json', 'history', 'web', '--env', 'prod').stdout);
    const stored = filesUnder(join(project.dir, '.slipway'));
    const db = stored.find((file) => file.path.endsWith('state.db'));
    assert.ok(db?.bytes.includes('"settings"'), 'the store holds the settings it is searched for values in');
    for (const value of [FIRST, SECOND]) {
      for (const output of outputs)
        assert.ok(!output.includes(value), `a secret value was printed: ${output}`);
      for (const file of stored)
        assert.equal(file.bytes.includes(value), false, `a secret value is in ${file.path}`);
    }
  });
});
