// CDEvents export and import over real SQLite stores: every exported line passes the vendored
// v0.4.1 schema, and a history exported and imported into a fresh store gives the same figures.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { DEFAULT_SLO } from '../../src/config/slo-schema.js';
import { exportCdevents } from '../../src/metrics/cdevents/export-history.js';
import { importCdevents } from '../../src/metrics/cdevents/import-history.js';
import { MetricsError } from '../../src/metrics/errors.js';
import { listIncidents } from '../../src/metrics/incidents.js';
import { loadDeliveryMetrics } from '../../src/metrics/load-delivery.js';
import type { DeployRecord } from '../../src/store/delivery-records.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { NewEvent, Store } from '../../src/store/store.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const schemaDir = fileURLToPath(new URL('../../schema/cdevents/', import.meta.url));
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 1);
const at = (day: number, hour: number) => T0 + (day * 24 + hour) * HOUR;
const window = { from: T0, to: T0 + 28 * 24 * HOUR };
const names = { source: '/slipway/shop', repository: 'shop' };
const dirs: string[] = [];

async function freshStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-cdevents-'));
  dirs.push(dir);
  return openSqliteStore({ file: join(dir, 'state.db'), clock: { now: () => at(40, 0) } });
}

const sha = (n: number) => n.toString(16).padStart(40, 'a');
const change = (n: number, time: number) => ({ sha: sha(n), time });
const web = { service: 'web', environment: 'production' };
const api = { service: 'api', environment: 'production@eu-west' };

function deploy(
  type: NewEvent['type'],
  time: number,
  where: { service: string; environment: string },
  record: DeployRecord,
  extra: Record<string, unknown> = {},
): NewEvent {
  return {
    type,
    time,
    actor: 'ana',
    ...where,
    commitSha: record.changes.at(-1)?.sha ?? null,
    subject: 'rollout/1',
    data: { rollout: 1, revision: `r${time}`, ...extra, deploy: record },
  };
}

/** A month of history as it is recorded live, oldest first. */
async function buildHistory(store: Store): Promise<void> {
  const run = (runId: number, time: number, status: string, durationMs?: number): NewEvent => ({
    type: 'pipelinerun.finished',
    actor: 'ci',
    time,
    runId,
    data: { status, ...(durationMs !== undefined ? { durationMs, pipeline: 'shop' } : {}) },
  });
  const clean = { requests: 500, failed: 0 };
  await store.appendEvents([
    run(1, at(0, 9), 'success', 12 * 60_000),
    { type: 'pipelinerun.started', actor: 'ci', time: at(0, 9), runId: 2, data: { pipeline: 'shop' } },
    { type: 'change.merged', actor: 'git', time: at(0, 10), commitSha: sha(2), data: {} },
    deploy('service.deployed', at(1, 12), web, {
      result: 'completed',
      startedAt: at(1, 11),
      changes: [change(1, at(0, 8)), change(2, at(0, 10))],
      traffic: clean,
    }),
    // A deploy stage's own event carries no record and is not part of the history.
    { type: 'service.deployed', actor: 'ci', time: at(2, 0), ...web, runId: 1, data: { durationMs: 5 } },
    run(2, at(3, 9), 'failure', 30 * 60_000),
    deploy('service.upgraded', at(4, 12), web, {
      result: 'completed',
      startedAt: at(4, 11),
      changes: [change(3, at(3, 12))],
      traffic: { requests: 900, failed: 2 },
    }),
    deploy(
      'service.rolledback',
      at(6, 12),
      web,
      {
        result: 'rolled_back',
        startedAt: at(6, 11),
        changes: [change(4, at(5, 12))],
        traffic: clean,
        decidedAt: at(6, 11) + 60_000,
        restoreMs: 4_000,
      },
      { reason: 'error rate' },
    ),
    { type: 'rollout.aborted', actor: 'ana', time: at(6, 12), ...web, data: { rolledBack: true } },
    deploy('service.deployed', at(7, 12), api, {
      result: 'completed',
      startedAt: at(7, 11),
      changes: [change(5, at(6, 20))],
      traffic: null,
    }),
    deploy('rollout.aborted', at(9, 12), api, {
      result: 'aborted',
      startedAt: at(9, 11),
      changes: [change(6, at(8, 12))],
      traffic: clean,
      decidedAt: at(9, 11) + 120_000,
      restoreMs: 7_000,
    }),
    deploy(
      'service.deployed',
      at(10, 12),
      { service: 'web', environment: 'staging' },
      {
        result: 'completed',
        startedAt: at(10, 11),
        changes: [change(7, at(10, 1))],
        traffic: clean,
      },
    ),
    deploy('service.upgraded', at(11, 12), web, {
      result: 'completed',
      startedAt: at(11, 11),
      changes: [change(7, at(10, 1))],
      traffic: clean,
    }),
    {
      type: 'service.rolledback',
      actor: 'ana',
      time: at(12, 12),
      ...web,
      subject: 'rollout/9',
      data: {
        rollout: 9,
        revision: 'r1',
        manual: true,
        rollback: { startedAt: at(12, 11), restoreMs: 9_000 },
      },
    },
    run(3, at(13, 9), 'cancelled'),
  ]);
  const incident = await store.appendEvent({
    type: 'incident.detected',
    actor: 'pager',
    time: at(14, 3),
    ...web,
    subject: 'incident',
    data: { title: 'checkout down', externalId: 'PD-1' },
  });
  await store.appendEvents([
    run(4, at(14, 9), 'success', 8 * 60_000),
    {
      type: 'incident.resolved',
      actor: 'pager',
      time: at(14, 6),
      ...web,
      subject: 'incident',
      data: { incident: incident.id, externalId: 'PD-1' },
    },
    {
      type: 'incident.detected',
      actor: 'ana',
      time: at(20, 3),
      ...api,
      subject: 'incident',
      data: { title: 'slow eu' },
    },
  ]);
}

const toText = (events: readonly unknown[]) => events.map((e) => `${JSON.stringify(e)}\n`).join('');

describe('CDEvents export and import', () => {
  let original: Store;
  let text: string;
  before(async () => {
    original = await freshStore();
    await buildHistory(original);
    text = toText(await exportCdevents(original, window, names));
  });
  after(async () => {
    await original?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('every exported line passes the vendored schema of its type', () => {
    const ajv = new Ajv2020({ allErrors: true });
    addFormats(ajv);
    for (const name of readdirSync(join(schemaDir, 'links')))
      ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, 'links', name), 'utf8')));
    const validators = new Map(
      readdirSync(schemaDir)
        .filter((name) => name.endsWith('.json'))
        .map((name) => [
          name.replace('.json', ''),
          ajv.compile(JSON.parse(readFileSync(join(schemaDir, name), 'utf8'))),
        ]),
    );
    const lines = text.trimEnd().split('\n');
    const types: string[] = [];
    for (const line of lines) {
      const event = JSON.parse(line) as { context: { type: string } };
      const validate = validators.get(event.context.type.split('.').slice(2, 4).join(''));
      assert.ok(validate, event.context.type);
      assert.ok(validate(event), `${line}\n${ajv.errorsText(validate.errors)}`);
      types.push(event.context.type.replace(/^dev\.cdevents\.|\.0\.2\.0$/g, ''));
    }
    // The deploy stage's record-less deploy, the aborted-and-rolled-back marker and the started run stay out;
    // each commit comes once, before its deploy, and the stored change.merged stands for its own commit.
    assert.deepEqual(types, [
      'change.merged', // 1
      'pipelinerun.finished',
      'change.merged', // 2 (stored)
      'service.deployed',
      'pipelinerun.finished',
      'change.merged', // 3
      'service.upgraded',
      'change.merged', // 4
      'service.rolledback',
      'change.merged', // 5
      'service.deployed',
      'change.merged', // 6
      'service.rolledback', // rollout.aborted
      'change.merged', // 7
      'service.deployed',
      'service.upgraded',
      'service.rolledback', // manual
      'pipelinerun.finished',
      'incident.detected',
      'incident.resolved',
      'pipelinerun.finished',
      'incident.detected',
    ]);
    const aborted = JSON.parse(lines[12]!) as { subject: unknown; customData: { slipway: { type: string } } };
    assert.equal(aborted.customData.slipway.type, 'rollout.aborted');
    assert.deepEqual(aborted.subject, {
      id: 'api',
      type: 'service',
      content: { environment: { id: 'production@eu-west' }, artifactId: `pkg:generic/api@r${at(9, 12)}` },
    });
    const deployed = JSON.parse(lines[3]!) as { customData: { slipway: { changes: unknown } } };
    assert.deepEqual(deployed.customData.slipway.changes, [change(1, at(0, 8)), change(2, at(0, 10))]);
  });

  test('an imported history gives the same figures as the history made live', async () => {
    const copy = await freshStore();
    try {
      const result = await importCdevents(copy, text, { file: 'history.ndjson', ownSource: '/slipway/copy' });
      // 22 lines, of which 6 change.merged made from deploys are not stored.
      assert.deepEqual(result, { imported: 16, skipped: 0 });
      for (const filter of [
        { environment: 'production' },
        { environment: 'production', service: 'web' },
        { environment: 'production', service: 'api' },
        { environment: 'staging' },
      ]) {
        const live = await loadDeliveryMetrics(original, window, filter, DEFAULT_SLO);
        const imported = await loadDeliveryMetrics(copy, window, filter, DEFAULT_SLO);
        assert.deepEqual(imported, live, JSON.stringify(filter));
      }
      const production = await loadDeliveryMetrics(copy, window, { environment: 'production' }, DEFAULT_SLO);
      // Every figure has something to measure, so the comparison above compares numbers.
      assert.equal(production.change_failure_rate.deploys, 6);
      assert.equal(production.change_failure_rate.failed, 4);
      assert.equal(production.lead_time.median_hours, 26);
      assert.equal(production.time_to_restore.median_hours, 1.52);
      assert.deepEqual(production.pipeline, { p50_minutes: 12, p95_minutes: 28.2, budget_minutes: 15 });
      assert.deepEqual(production.zero_downtime, { rollouts: 5, clean: 4, share: 0.8 });
      assert.deepEqual(production.rollback_time, { median_seconds: 7, max_seconds: 9 });
      const incidents = await listIncidents(copy);
      assert.deepEqual(
        incidents.map((i) => [i.title, i.externalId, i.resolvedAt]),
        [
          ['checkout down', 'PD-1', at(14, 6)],
          ['slow eu', null, null],
        ],
      );
      // Exported again, the copy says the same history.
      const again = await exportCdevents(copy, window, names);
      const typesOf = (t: string) =>
        t
          .trimEnd()
          .split('\n')
          .map((l) => (JSON.parse(l) as { context: { type: string } }).context.type);
      assert.deepEqual(typesOf(toText(again)), typesOf(text));
    } finally {
      await copy.close();
    }
  });

  test('importing the same file again skips what it imported, and a store skips its own events', async () => {
    const copy = await freshStore();
    try {
      await importCdevents(copy, text, { file: 'h', ownSource: '/slipway/copy' });
      const before = (await copy.listEvents()).length;
      assert.deepEqual(await importCdevents(copy, text, { file: 'h', ownSource: '/slipway/copy' }), {
        imported: 0,
        skipped: 16,
      });
      assert.equal((await copy.listEvents()).length, before);
      // The copy's own export, imported events included, is the copy's own history.
      const own = toText(await exportCdevents(copy, window, { source: '/slipway/copy', repository: 'copy' }));
      assert.deepEqual(await importCdevents(copy, own, { file: 'own', ownSource: '/slipway/copy' }), {
        imported: 0,
        skipped: 16,
      });
      assert.deepEqual(await importCdevents(original, text, { file: 'h', ownSource: names.source }), {
        imported: 0,
        skipped: 16,
      });
    } finally {
      await copy.close();
    }
  });

  test('a file with bad lines names each one and imports nothing', async () => {
    const copy = await freshStore();
    try {
      const lines = text.trimEnd().split('\n');
      const broken = JSON.parse(lines[3]!) as { subject: { content: Record<string, unknown> } };
      delete broken.subject.content.artifactId;
      const bad = [lines[0], '{"context": ', lines[2], '', JSON.stringify(broken), ...lines.slice(4)].join(
        '\n',
      );
      await assert.rejects(
        importCdevents(copy, bad, { file: 'bad.ndjson', ownSource: '/slipway/copy' }),
        (error: unknown) => {
          assert.ok(error instanceof MetricsError);
          assert.equal(error.code, 'IMPORT_INVALID');
          assert.equal(error.kind, 'invalid');
          const listed = error.message.split('\n').slice(1);
          assert.equal(listed.length, 2, error.message);
          assert.match(listed[0]!, /^bad\.ndjson:2: not JSON/);
          assert.match(
            listed[1]!,
            /^bad\.ndjson:5: not a valid dev\.cdevents\.service\.deployed\.0\.2\.0: .*artifactId/,
          );
          return true;
        },
      );
      assert.equal((await copy.listEvents()).length, 0);
    } finally {
      await copy.close();
    }
  });

  test('an export of a window brings the incidents its resolutions name', async () => {
    const events = await exportCdevents(original, { from: at(14, 5), to: window.to }, names);
    const types = events.map((e) => `${e.context.type.split('.')[2]}.${e.context.type.split('.')[3]}`);
    assert.deepEqual(types, [
      'incident.detected',
      'incident.resolved',
      'pipelinerun.finished',
      'incident.detected',
    ]);
    const web = await exportCdevents(original, { ...window, service: 'web', environment: 'staging' }, names);
    assert.deepEqual(
      web.map((e) => e.subject.id),
      [sha(2), sha(7), 'web'],
    );
  });
});
