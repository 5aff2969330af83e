// CDEvents another tool wrote (no customData.slipway.data) import as deploys, rollbacks, incidents,
// runs and commits, and the figures read them; lines Slipway cannot take are named by number.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DEFAULT_SLO } from '../../src/config/slo-schema.js';
import { importCdevents } from '../../src/metrics/cdevents/import-history.js';
import { MetricsError } from '../../src/metrics/errors.js';
import { listIncidents } from '../../src/metrics/incidents.js';
import { loadDeliveryMetrics } from '../../src/metrics/load-delivery.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

const SOURCE = 'https://deploys.example.com/api';
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 4, 4);
const iso = (hours: number) => new Date(T0 + hours * HOUR).toISOString();
const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const dirs: string[] = [];

async function freshStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-cdevents-foreign-'));
  dirs.push(dir);
  return openSqliteStore({ file: join(dir, 'state.db'), clock: { now: () => T0 + 1000 * HOUR } });
}

function cdevent(
  name: string,
  id: string,
  hours: number,
  subject: { id: string; type: string; content: Record<string, unknown> },
  extra: Record<string, unknown> = {},
): string {
  const type = `dev.cdevents.${name}.0.2.0`;
  return JSON.stringify({
    context: { version: '0.4.1', id, source: SOURCE, type, timestamp: iso(hours) },
    subject,
    ...extra,
  });
}

const service = (artifactId: string, environment = 'prod') => ({
  id: 'checkout',
  type: 'service',
  content: { environment: { id: environment }, artifactId },
});
const incident = (id: string, description?: string) => ({
  id,
  type: 'incident',
  content: {
    environment: { id: 'prod' },
    service: { id: 'checkout' },
    ...(description ? { description } : {}),
  },
});

const FOREIGN = [
  cdevent('change.merged', 'c1', 0, { id: SHA, type: 'change', content: { repository: { id: 'shop' } } }),
  cdevent('service.deployed', 'd1', 4, service('pkg:oci/checkout@sha256:1'), {
    customData: { slipway: { changes: [{ sha: SHA, time: iso(0) }] } },
    customDataContentType: 'application/json',
  }),
  cdevent('pipelinerun.finished', 'p1', 5, {
    id: 'build-7',
    type: 'pipelineRun',
    content: { pipelineName: 'shop', outcome: 'error' },
  }),
  cdevent('incident.detected', 'i1', 6, incident('INC-7', 'payments time out')),
  cdevent('service.upgraded', 'd2', 7, service('pkg:oci/checkout@sha256:2'), {
    customData: 'c29tZSBieXRlcw==',
  }),
  cdevent('incident.resolved', 'i2', 8, incident('INC-7')),
  cdevent('service.rolledback', 'd3', 9, service('pkg:oci/checkout@sha256:1')),
  '',
];

describe('CDEvents from another tool', () => {
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('become deploys, an automatic rollback, an incident, a run and a commit', async () => {
    const store = await freshStore();
    try {
      const result = await importCdevents(store, FOREIGN.join('\n'), { file: 'f', ownSource: '/slipway/x' });
      assert.deepEqual(result, { imported: 7, skipped: 0 });
      const events = await store.listEvents();
      assert.deepEqual(
        events.map((e) => [e.type, e.actor, e.service, e.environment]),
        [
          ['change.merged', 'import', null, null],
          ['service.deployed', 'import', 'checkout', 'prod'],
          ['pipelinerun.finished', 'import', null, null],
          ['incident.detected', 'import', 'checkout', 'prod'],
          ['service.upgraded', 'import', 'checkout', 'prod'],
          ['incident.resolved', 'import', 'checkout', 'prod'],
          ['service.rolledback', 'import', 'checkout', 'prod'],
        ],
      );
      assert.equal(events[0]!.commitSha, SHA);
      assert.deepEqual(events[1]!.data, {
        artifactId: 'pkg:oci/checkout@sha256:1',
        deploy: {
          result: 'completed',
          startedAt: T0 + 4 * HOUR,
          changes: [{ sha: SHA, time: T0 }],
          traffic: null,
        },
        cdeventId: 'd1',
        cdeventSource: SOURCE,
        cdeventSubject: 'checkout',
      });
      assert.deepEqual(events[2]!.data.status, 'failure');
      assert.equal((events[6]!.data.deploy as { result: string }).result, 'rolled_back');
      assert.equal(events[5]!.data.incident, events[3]!.id);
      const [opened] = await listIncidents(store);
      assert.deepEqual(
        [opened?.title, opened?.externalId, opened?.resolvedAt],
        ['payments time out', 'INC-7', T0 + 8 * HOUR],
      );
      const m = await loadDeliveryMetrics(
        store,
        { from: T0, to: T0 + 24 * HOUR },
        { environment: 'prod' },
        DEFAULT_SLO,
      );
      assert.equal(m.deployment_frequency.deploys, 2);
      assert.equal(m.lead_time.median_hours, 4);
      // The rollback, and the deploy the incident followed.
      assert.deepEqual([m.change_failure_rate.failed, m.change_failure_rate.deploys], [2, 3]);
      assert.equal(m.time_to_restore.median_hours, 1);

      // A later file may resolve an incident an earlier one opened.
      const later = cdevent('incident.resolved', 'i3', 10, incident('INC-7'));
      assert.deepEqual(
        await importCdevents(store, `${FOREIGN.join('\n')}\n${later}`, { file: 'f', ownSource: '/x' }),
        {
          imported: 1,
          skipped: 7,
        },
      );
      const [again] = await store.listEvents({ types: ['incident.resolved'], afterId: events[6]!.id });
      assert.equal(again?.data.incident, events[3]!.id);
    } finally {
      await store.close();
    }
  });

  test('lines Slipway cannot import are named by their line number, and nothing is imported', async () => {
    const store = await freshStore();
    try {
      const lines = [
        FOREIGN[1]!,
        cdevent('artifact.published', 'a1', 1, { id: 'x', type: 'artifact', content: {} }),
        cdevent('service.deployed', 'd9', 1, service('a')).replace('.0.2.0', '.0.1.0'),
        cdevent('incident.resolved', 'i9', 2, incident('INC-404')),
        cdevent('service.deployed', 'd8', 3, service('a'), {
          customData: { slipway: { changes: [{ sha: SHA, time: 'yesterday' }] } },
        }),
        cdevent('service.rolledback', 'd7', 3, service('a'), {
          customData: { slipway: { type: 'service.deployed', actor: 'x', data: {} } },
        }),
        cdevent('service.deployed', 'd6', 3, service('a'), {
          customData: {
            slipway: { type: 'service.deployed', actor: 'x', data: { deploy: { result: 'completed' } } },
          },
        }),
        '[1, 2]',
      ];
      const error = await importCdevents(store, lines.join('\n'), { file: 'x.ndjson', ownSource: '/x' }).then(
        () => assert.fail('imported a bad file'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof MetricsError && error.code === 'IMPORT_INVALID');
      const [head, ...listed] = error.message.split('\n');
      assert.equal(head, 'x.ndjson has 7 bad lines; nothing was imported:');
      assert.match(
        listed[0]!,
        /^x\.ndjson:2: unsupported CDEvents type "dev\.cdevents\.artifact\.published\.0\.2\.0"/,
      );
      assert.match(
        listed[1]!,
        /^x\.ndjson:3: not a valid .*\/context\/type must be one of "dev\.cdevents\.service\.deployed\.0\.2\.0"/,
      );
      assert.match(listed[2]!, /^x\.ndjson:4: incident\.resolved names INC-404, which no incident\.detected/);
      assert.match(listed[3]!, /^x\.ndjson:5: customData\.slipway\.changes must be a list of \{sha, time\}/);
      assert.match(
        listed[4]!,
        /^x\.ndjson:6: customData\.slipway\.type must be 'service\.rolledback' or 'rollout\.aborted'/,
      );
      assert.match(
        listed[5]!,
        /^x\.ndjson:7: customData\.slipway\.data\.deploy is not a completed deploy record/,
      );
      assert.match(listed[6]!, /^x\.ndjson:8: not a JSON object/);
      assert.equal((await store.listEvents()).length, 0);

      const many = Array.from({ length: 60 }, () => 'nope').join('\n');
      const tooMany = await importCdevents(store, many, { file: 'y', ownSource: '/x' }).catch(
        (e: Error) => e,
      );
      const shown = (tooMany as Error).message.split('\n');
      assert.equal(shown.length, 1 + 50 + 1);
      assert.equal(shown.at(-2), 'y:50: not JSON: Unexpected token \'o\', "nope" is not valid JSON');
      assert.equal(shown.at(-1), '... and 10 more');
    } finally {
      await store.close();
    }
  });
});
