// `slipway events export | slipway events import -` as users run it: a project's delivery history
// moves to another project as CDEvents and gives the same `slipway metrics` there.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/open-store.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/slipway.js');
const base = mkdtempSync(join(tmpdir(), 'slipway-events-cdevents-'));
const from = join(base, 'shop');
const to = join(base, 'copy');
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 5, 1);
const at = (hours: number) => T0 + hours * HOUR;
const WINDOW = ['--since', '2026-06-01', '--until', '2026-06-29'];
const SHA = 'b'.repeat(40);

function env(): NodeJS.ProcessEnv {
  const vars: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete vars.SLIPWAY_DATABASE_URL;
  delete vars.SLIPWAY_SERVER;
  return vars;
}

function slipway(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, env: env(), timeout: 20_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('slipway events export and import', () => {
  before(async () => {
    const store = await openStore({ projectDir: from });
    try {
      const web = { service: 'web', environment: 'production' };
      await store.appendEvents([
        {
          type: 'pipelinerun.finished',
          actor: 'ci',
          time: at(1),
          runId: 1,
          data: { status: 'success', durationMs: 600_000, pipeline: 'shop' },
        },
        {
          type: 'service.deployed',
          actor: 'ana',
          time: at(30),
          ...web,
          data: {
            revision: 'r1',
            deploy: {
              result: 'completed',
              startedAt: at(29),
              changes: [{ sha: SHA, time: at(2) }],
              traffic: null,
            },
          },
        },
        {
          type: 'service.rolledback',
          actor: 'ana',
          time: at(50),
          ...web,
          data: { manual: true, rollback: { startedAt: at(49), restoreMs: 12_000 } },
        },
      ]);
      const incident = await store.appendEvent({
        type: 'incident.detected',
        actor: 'ana',
        time: at(60),
        ...web,
        subject: 'incident',
        data: { title: 'down' },
      });
      await store.appendEvent({
        type: 'incident.resolved',
        actor: 'ana',
        time: at(62),
        ...web,
        subject: 'incident',
        data: { incident: incident.id },
      });
    } finally {
      await store.close();
    }
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  test('a history piped from one project to another gives the same metrics', async () => {
    const pipe = spawnSync(
      'sh',
      [
        '-c',
        `cd "$FROM" && "$NODE" "$BIN" events export ${WINDOW.join(' ')} | (mkdir -p "$TO" && cd "$TO" && "$NODE" "$BIN" events import -)`,
      ],
      {
        env: { ...env(), FROM: from, TO: to, NODE: process.execPath, BIN: bin },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    assert.equal(pipe.status, 0, pipe.stderr);
    assert.equal(pipe.stdout, 'imported 5 events (0 skipped: already imported)\n');
    const metrics = async (cwd: string) => {
      const run = await slipway(cwd, '--json', 'metrics', '--env', 'production', ...WINDOW);
      assert.equal(run.code, 0, run.stderr);
      return JSON.parse(run.stdout) as { change_failure_rate: { failed: number }; lead_time: unknown };
    };
    const live = await metrics(from);
    assert.equal(live.change_failure_rate.failed, 1);
    assert.deepEqual(await metrics(to), live);
  });

  test('export takes its own --service and --env; the listing still lists', async () => {
    const none = await slipway(from, 'events', 'export', ...WINDOW, '--service', 'api');
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, '');
    const staging = await slipway(from, 'events', 'export', ...WINDOW, '--env', 'staging');
    assert.deepEqual(
      staging.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { context: { type: string } }).context.type),
      ['dev.cdevents.pipelinerun.finished.0.2.0'],
    );
    const listed = await slipway(from, '--json', 'events', '--type', 'service.deployed', '--service', 'web');
    assert.equal(listed.code, 0, listed.stderr);
    const rows = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; service: string });
    assert.deepEqual(
      rows.map((r) => [r.type, r.service]),
      [['service.deployed', 'web']],
    );
  });

  test('a file imports once; a bad file exits 2 naming its bad lines', async () => {
    const exported = await slipway(from, 'events', 'export', ...WINDOW);
    writeFileSync(join(base, 'history.ndjson'), exported.stdout);
    const again = await slipway(to, 'events', 'import', join(base, 'history.ndjson'));
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'imported 0 events (5 skipped: already imported)\n');
    writeFileSync(join(to, 'bad.ndjson'), `${exported.stdout}{oops\n`);
    const bad = await slipway(to, 'events', 'import', 'bad.ndjson');
    assert.equal(bad.code, 2, bad.stderr);
    const lines = exported.stdout.trim().split('\n').length;
    assert.match(
      bad.stderr,
      new RegExp(
        `^slipway: bad\\.ndjson has a bad line; nothing was imported:\\nbad\\.ndjson:${lines + 1}: not JSON`,
      ),
    );
    const remote = await slipway(to, '--server', 'http://127.0.0.1:9', 'events', 'import', 'bad.ndjson');
    assert.equal(remote.code, 2);
    assert.match(remote.stderr, /runs locally only/);
  });
});
