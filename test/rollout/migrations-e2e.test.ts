/**
 * Expand/contract migrations end to end, through the CLI, a real agent and router and a real
 * PostgreSQL (127.0.0.1:5432, user postgres, a database per test): v1 reads and writes
 * `users.name`; v2's expand adds `display_name`, backfills it and keeps both columns in step with
 * a trigger, and v2 uses `display_name`. Under steady load, a rollback during the `contractAfter`
 * hold fails no request and leaves v1 working on the expanded schema; `rollback --schema` also
 * runs `down`; a full deploy drops `name` with `contract` once the hold is over.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { ndjson, steadyLoad, type TestProject, testProject } from './helpers.js';

const APP = join(import.meta.dirname, 'fixtures', 'schema-app');
const PG_FROM = resolve(import.meta.dirname, '..', '..', 'package.json');
const ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';

const EXPAND = `BEGIN;
ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text;
UPDATE users SET display_name = name WHERE display_name IS NULL;
ALTER TABLE users ALTER COLUMN name DROP NOT NULL;
CREATE OR REPLACE FUNCTION users_sync_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.display_name := coalesce(NEW.display_name, NEW.name);
  NEW.name := coalesce(NEW.name, NEW.display_name);
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS users_sync_names ON users;
CREATE TRIGGER users_sync_names BEFORE INSERT OR UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION users_sync_names();
COMMIT;
`;
const CONTRACT = `BEGIN;
DROP TRIGGER users_sync_names ON users;
DROP FUNCTION users_sync_names();
ALTER TABLE users DROP COLUMN name;
ALTER TABLE users ALTER COLUMN display_name SET NOT NULL;
COMMIT;
`;
const DOWN = `BEGIN;
DROP TRIGGER IF EXISTS users_sync_names ON users;
DROP FUNCTION IF EXISTS users_sync_names();
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
ALTER TABLE users DROP COLUMN IF EXISTS display_name;
COMMIT;
`;

let databases = 0;
const psql = (url: string, sql: string) =>
  execFileSync('psql', ['-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], {
    encoding: 'utf8',
  }).trim();
const columnsOf = (url: string) =>
  psql(url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY 1")
    .split('\n')
    .filter(Boolean);

function config(version: string, url: string, contractAfter: string | undefined): string {
  const migrations =
    contractAfter === undefined
      ? ''
      : `    migrations:
      expand: psql -X -q -v ON_ERROR_STOP=1 ${url} -f migrations/expand.sql
      contract: psql -X -q -v ON_ERROR_STOP=1 ${url} -f migrations/contract.sql
      down: psql -X -q -v ON_ERROR_STOP=1 ${url} -f migrations/down.sql
      contractAfter: ${contractAfter}
`;
  return `version: 1
services:
  web:
    run: node server.mjs
    source: app
    instances: 2
    env: { VERSION: ${version}, DATABASE_URL: "${url}", PG_FROM: "${PG_FROM}" }
    health:
      readiness: { http: /healthz, period: 200ms, timeout: 300ms }
    shutdown: { drain: 2s, timeout: 3s }
${migrations}environments:
  prod:
    strategy:
      canary:
        stages:
          - { traffic: 50, duration: 1s }
          - { traffic: 100 }
        metrics: [error_rate]
    analysis: { interval: 300ms, minRequests: 0, failureLimit: 0, inconclusiveLimit: 100 }
`;
}

describe('expand/contract migrations in a rollout', { timeout: 300_000, concurrency: false }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /** A database with v1's table, a project serving v1 from it, and the URL it serves at. */
  const setup = () => {
    const db = `slipway_migrations_${process.pid}_${++databases}`;
    psql(ADMIN, `CREATE DATABASE ${db}`);
    const url = `postgres://postgres@127.0.0.1:5432/${db}`;
    psql(url, 'CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL)');
    psql(url, "INSERT INTO users (name) VALUES ('ada'), ('grace')");
    const project: TestProject = testProject(config('v1', url, undefined), APP);
    cleanups.push(async () => {
      await project.cleanup();
      psql(ADMIN, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    });
    mkdirSync(join(project.dir, 'migrations'));
    writeFileSync(join(project.dir, 'migrations', 'expand.sql'), EXPAND);
    writeFileSync(join(project.dir, 'migrations', 'contract.sql'), CONTRACT);
    writeFileSync(join(project.dir, 'migrations', 'down.sql'), DOWN);
    const first = project.cli('deploy', 'web', '--env', 'prod');
    assert.equal(first.status, 0, first.stderr + first.stdout);
    const status = ndjson(project.cli('--json', 'status', 'web', '--env', 'prod').stdout)[0];
    return { project, url, serving: String(status?.url) };
  };

  /** Waits until the rollout in progress holds before `contract` (the step after it). */
  const holdingBeforeContract = async (project: TestProject) => {
    for (let i = 0; i < 600; i++) {
      const status = ndjson((await project.run('--json', 'status', 'web', '--env', 'prod')).stdout)[0];
      const rollout = status?.rollout as { action?: string; phase?: string } | null;
      if (rollout?.action === 'pause' && rollout.phase === 'running') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the rollout never reached the contractAfter hold');
  };

  test('a rollback between expand and contract fails no request; v1 works on the expanded schema', async () => {
    const { project, url, serving } = setup();
    project.write(config('v2', url, '5m'));
    const plan = project.cli('plan', 'web', '--env', 'prod').stdout;
    assert.match(
      plan,
      /1\.\s+expand[\s\S]*scaleUp[\s\S]*promote[\s\S]*scaleDown[\s\S]*pause .*hold 5m with analysis[\s\S]*contract/,
    );

    const load = steadyLoad(serving);
    const deploy = project.start('--json', 'deploy', 'web', '--env', 'prod');
    await holdingBeforeContract(project);
    assert.deepEqual(columnsOf(url), ['display_name', 'id', 'name']);
    const back = await project.run('rollback', 'web', '--env', 'prod');
    await new Promise((r) => setTimeout(r, 1500)); // v1 keeps serving (and writing) on the expanded schema
    const seen = await load.stop();
    const deployed = await deploy.done;

    assert.equal(
      seen.failed,
      0,
      `failed requests: ${JSON.stringify(seen.statuses)} ${seen.errors.join('; ')}`,
    );
    assert.ok(seen.requests > 100, `too little load: ${seen.requests}`);
    assert.equal(deployed.status, 1, deployed.stdout);
    const finished = ndjson(deployed.stdout).find((e) => e.type === 'rollout.finished');
    assert.equal(finished?.status, 'aborted');
    const ran = ndjson(deployed.stdout).filter((e) => e.type === 'migration.ran');
    assert.deepEqual(
      ran.map((e) => [e.phase, e.status]),
      [['expand', 'succeeded']],
    );
    // The rollback aborted the rollout in progress: its controller flipped traffic back to v1.
    assert.equal(finished?.reason, 'aborted by request', back.stdout + back.stderr);
    // v1 serves, still on the expanded schema: its rows get display_name from the trigger.
    assert.match(await (await fetch(`${serving}/`)).text(), /^hello v1 v1-/);
    assert.deepEqual(columnsOf(url), ['display_name', 'id', 'name']);
    assert.equal(psql(url, 'SELECT count(*) FROM users WHERE display_name IS NULL OR name IS NULL'), '0');
    assert.ok(Number(psql(url, "SELECT count(*) FROM users WHERE name LIKE 'v2-%'")) > 0, 'v2 served');
    assert.ok(Number(psql(url, "SELECT count(*) FROM users WHERE name LIKE 'v1-%'")) > 0, 'v1 served');
    const status = project.cli('status', 'web', '--env', 'prod').stdout;
    assert.match(status, /expand succeeded: `psql .*expand\.sql` exited with 0/);
  });

  test('rollback --schema during the hold brings v1 back, then runs down; no request fails', async () => {
    const { project, url, serving } = setup();
    project.write(config('v2', url, '5m'));

    const load = steadyLoad(serving);
    const deploy = project.start('deploy', 'web', '--env', 'prod');
    await holdingBeforeContract(project);
    const back = await project.run('rollback', 'web', '--env', 'prod', '--schema');
    const seen = await load.stop();
    await deploy.done;

    assert.equal(
      seen.failed,
      0,
      `failed requests: ${JSON.stringify(seen.statuses)} ${seen.errors.join('; ')}`,
    );
    assert.equal(back.status, 0, back.stdout + back.stderr);
    assert.match(back.stdout, /schema reverted: `psql .*down\.sql` exited with 0/);
    assert.deepEqual(columnsOf(url), ['id', 'name']);
    assert.match(await (await fetch(`${serving}/`)).text(), /^hello v1 v1-/);
    // v2's rows kept their names: the trigger wrote both columns.
    assert.equal(psql(url, 'SELECT count(*) FROM users WHERE name IS NULL'), '0');
    const events = project.cli('--json', 'events', '--type', 'migration.reverted').stdout;
    assert.match(events, /"phase":"down"/);
  });

  test('a full deploy contracts after contractAfter: v2 serves on a schema without name', async () => {
    const { project, url, serving } = setup();
    project.write(config('v2', url, '2s'));

    const load = steadyLoad(serving);
    const deploy = await project.run('--json', 'deploy', 'web', '--env', 'prod');
    const seen = await load.stop();

    assert.equal(deploy.status, 0, deploy.stdout + deploy.stderr);
    assert.equal(
      seen.failed,
      0,
      `failed requests: ${JSON.stringify(seen.statuses)} ${seen.errors.join('; ')}`,
    );
    const events = ndjson(deploy.stdout);
    const steps = events.flatMap((e) => (e.type === 'rollout.step' ? [e.action] : []));
    assert.equal(steps[0], 'expand');
    assert.deepEqual(steps.slice(-2), ['pause', 'contract']);
    assert.deepEqual(
      events.filter((e) => e.type === 'migration.ran').map((e) => [e.phase, e.status]),
      [
        ['expand', 'succeeded'],
        ['contract', 'succeeded'],
      ],
    );
    assert.deepEqual(columnsOf(url), ['display_name', 'id']);
    assert.match(await (await fetch(`${serving}/`)).text(), /^hello v2 v2-/);
    assert.equal(psql(url, 'SELECT display_name FROM users WHERE id = 1'), 'ada');
    const status = project.cli('status', 'web', '--env', 'prod').stdout;
    assert.match(status, /contract succeeded: `psql .*contract\.sql` exited with 0/);
  });
});
