import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredEvent } from '../store/store.js';
import { notificationOfEvent } from './event-notification.js';

const event = (
  type: StoredEvent['type'],
  data: Record<string, unknown> = {},
  runId: number | null = null,
): StoredEvent => ({
  id: 7,
  type,
  time: 1_000,
  actor: 'gitops',
  commitSha: 'c'.repeat(40),
  service: 'web',
  environment: 'prod',
  runId,
  subject: null,
  data,
});

test('the events people are told about, with their triggers; the id is the event', () => {
  const cases: [StoredEvent, string | undefined][] = [
    [
      event('gitops.synced', { revision: 'r-1', commit: 'c'.repeat(40), subject: 'web v2' }),
      'sync.succeeded',
    ],
    [event('gitops.failed', { reason: 'rolled back' }), 'sync.failed'],
    [event('service.deployed', { revision: 'r-1' }), 'deploy.completed'],
    [event('service.upgraded', { revision: 'r-2', previous: 'r-1' }), 'deploy.completed'],
    [event('service.rolledback', { reason: 'error rate' }), 'rollout.rolledback'],
    [event('approval.requested', {}, 3), 'approval.waiting'],
    [event('pipelinerun.finished', { status: 'failure' }, 3), 'pipeline.failed'],
    [event('pipelinerun.finished', { status: 'success' }, 3), undefined],
    [event('region.failedover', { region: 'eu-west' }), 'region.failedover'],
    [event('infra.drifted', { count: 1 }), 'infra.drifted'],
    [event('gitops.degraded', { live: 'r-1', diff: ['revision: r-1 100% -> r-2 100%'] }), 'health.degraded'],
    [event('rollout.started'), undefined],
  ];
  for (const [e, trigger] of cases) assert.equal(notificationOfEvent(e)?.trigger, trigger, e.type);
  const synced = notificationOfEvent(cases[0]![0], 'https://slipway.example.com/');
  assert.equal(synced?.id, 'event-7');
  assert.equal(synced?.title, 'Synced: web@prod');
  assert.match(synced?.text ?? '', /r-1 from c{12} web v2/);
  assert.equal(synced?.url, 'https://slipway.example.com/#/gitops');
  assert.equal(notificationOfEvent(cases[5]![0], 'https://s.example')?.url, 'https://s.example/#/runs/3');
});

test('infra.drifted names the environment and counts each drifted resource once', () => {
  const drifted = notificationOfEvent({
    ...event('infra.drifted', {
      count: 3,
      resources: [{ address: 'terraform_data.web[1]', action: 'delete', changed: [] }],
      pending: {
        add: 2,
        change: 0,
        destroy: 0,
        changes: [
          { address: 'terraform_data.web[0]', action: 'create', changed: [] },
          { address: 'terraform_data.web[1]', action: 'create', changed: [] },
        ],
      },
    }),
    service: null,
    environment: 'production',
  });
  assert.equal(drifted?.trigger, 'infra.drifted');
  assert.equal(drifted?.title, 'Infrastructure drifted: production');
  assert.equal(
    drifted?.text,
    '2 resources of production drifted: terraform_data.web[1] (delete), terraform_data.web[0] (create)',
  );
  assert.equal(drifted?.environment, 'production');
});

test("findings.recorded says where a job's findings are stored, with its branch and tools", () => {
  const recorded = notificationOfEvent(
    {
      ...event('findings.recorded', { gate: 'failed', total: 2, branch: 'main', tools: ['Semgrep', 7] }, 12),
      service: null,
      environment: null,
      subject: 'sast',
    },
    'https://slipway.example.com',
  );
  assert.equal(recorded?.trigger, 'findings.recorded');
  assert.equal(recorded?.id, 'event-7');
  assert.equal(recorded?.outcome, 'failure');
  assert.equal(recorded?.text, '2 findings; the gate failed');
  assert.equal(recorded?.url, 'https://slipway.example.com/#/runs/12');
  assert.deepEqual(recorded?.findings, { run: 12, job: 'sast', branch: 'main', tools: ['Semgrep'] });
  // Without its run and job there is nothing to upload.
  assert.equal(notificationOfEvent(event('findings.recorded', { gate: 'passed' })), undefined);
});
