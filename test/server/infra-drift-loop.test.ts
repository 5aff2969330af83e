// Scheduled drift checks on the server: the schedule as data (first check one period after the
// setting appears, one check per environment at a time), and a real server over a real Terraform
// project whose state changed behind Slipway: the round while another operation holds the
// environment is skipped and logged, the next finds the drift, records `infra.drifted`, and a real
// webhook receiver is told as a signed CloudEvent; closing the server ends the rounds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { leaseKey, withInfraLease } from '../../src/infra/infra-lease.js';
import { verifySignature } from '../../src/notifications/webhook-signature.js';
import { planDriftRound } from '../../src/server/infra-drift-loop.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { skipWithout, TERRAFORM } from '../helpers/outside-program.js';
import { type HttpReceiver, startHttpReceiver } from '../notifications/receivers/http-receiver.js';
import { applyProduction, forgetInState, infraServerProject } from './helpers/infra-server-project.js';
import { type Harness, startServer, waitFor } from './helpers/server-harness.js';

const KEY = 'hmac-key-for-the-drift-webhook-0123456789';

describe('the drift schedule as data', () => {
  const HOUR = 3_600_000;

  test('a new environment is due one period later, not at once; a due one again one period after it starts', () => {
    const first = planDriftRound(new Map(), new Map([['production', 6 * HOUR]]), 1000, new Set());
    assert.deepEqual(first.due, []);
    assert.deepEqual([...first.schedule], [['production', { everyMs: 6 * HOUR, nextAt: 1000 + 6 * HOUR }]]);
    assert.equal(first.wakeAt, 1000 + 6 * HOUR);
    const early = planDriftRound(first.schedule, new Map([['production', 6 * HOUR]]), 5000, new Set());
    assert.deepEqual(early.due, []);
    assert.deepEqual(early.schedule.get('production'), first.schedule.get('production'));
    const due = planDriftRound(
      first.schedule,
      new Map([['production', 6 * HOUR]]),
      1000 + 6 * HOUR,
      new Set(),
    );
    assert.deepEqual(due.due, ['production']);
    assert.equal(due.schedule.get('production')?.nextAt, 1000 + 12 * HOUR);
  });

  test('a check still running is skipped, a changed period starts over, a removed environment is dropped', () => {
    const schedule = new Map([
      ['production', { everyMs: 60_000, nextAt: 60_000 }],
      ['staging', { everyMs: 60_000, nextAt: 60_000 }],
      ['qa', { everyMs: 60_000, nextAt: 60_000 }],
    ]);
    const round = planDriftRound(
      schedule,
      new Map([
        ['production', 60_000],
        ['staging', 120_000],
      ]),
      70_000,
      new Set(['production']),
    );
    assert.deepEqual(round.due, []);
    assert.deepEqual(round.skipped, ['production']);
    assert.deepEqual(Object.fromEntries(round.schedule), {
      production: { everyMs: 60_000, nextAt: 130_000 },
      staging: { everyMs: 120_000, nextAt: 190_000 },
    });
    assert.equal(round.wakeAt, 130_000);
    const nothing = planDriftRound(round.schedule, new Map(), 200_000, new Set());
    assert.equal(nothing.schedule.size, 0);
    assert.equal(nothing.wakeAt, Number.POSITIVE_INFINITY);
    // `0s` would check without pause: a second is the shortest period.
    assert.equal(planDriftRound(new Map(), new Map([['x', 0]]), 0, new Set()).wakeAt, 1000);
  });
});

describe('scheduled drift checks on the server', { skip: skipWithout(TERRAFORM), timeout: 60_000 }, () => {
  let h: Harness;
  let store: Store;
  let dir: string;
  let receiver: HttpReceiver;

  before(async () => {
    receiver = await startHttpReceiver();
    dir = infraServerProject({
      replicas: 1,
      infrastructure: 'drift: { every: 1s }',
      extra: [
        'gitops:',
        '  repository: { url: desired, branch: main }',
        '  notifications:',
        `    webhook: { url: '${receiver.origin}/hook', secret: HOOK_KEY, triggers: [infra.drifted] }`,
        '',
      ].join('\n'),
    });
    store = await openStore({ projectDir: dir });
    await applyProduction(dir, store);
    // Behind Slipway's back: Terraform no longer knows the replica it made.
    forgetInState(dir, 'terraform_data.web[0]');
  });
  after(async () => {
    await h?.close();
    await store?.close();
    await receiver?.close();
  });

  test('skips a round while production is held, then records the drift and a webhook hears of it; close ends the rounds', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding = () => {};
    const acquired = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const lease = withInfraLease(store, leaseKey('shop', 'production'), 'apply', async () => {
      holding();
      await held;
    });
    await acquired;
    const startedAt = Date.now();
    h = await startServer(dir, store, {
      gitops: false,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, HOOK_KEY: KEY },
    });
    try {
      const skipped = await waitFor('a skipped round', async () =>
        h.logs.find((line) => line.startsWith('drift check of production skipped this round')),
      );
      assert.match(skipped, /busy: apply by /);
      assert.ok(Date.now() - startedAt >= 1000, 'the first check comes one period after the start');
      assert.deepEqual(await store.listEvents({ types: ['infra.drifted'] }), []);
    } finally {
      release();
      await lease;
    }

    const event = await waitFor(
      'infra.drifted',
      async () => (await store.listEvents({ types: ['infra.drifted'] }))[0],
    );
    assert.equal(event.actor, 'slipway');
    assert.equal(event.environment, 'production');
    assert.deepEqual(
      (event.data.pending as { changes: { address: string; action: string }[] }).changes.map(
        (c) => `${c.action} ${c.address}`,
      ),
      ['create terraform_data.web[0]'],
    );
    assert.ok(
      h.logs.some((line) => /^drift in production: 1 resource differ/.test(line)),
      h.logs.join('\n'),
    );

    const delivered = await waitFor('the webhook delivery', async () =>
      receiver.requests.find((r) => r.status === 200),
    );
    assert.ok(verifySignature(delivered.body, KEY, delivered.headers['x-slipway-signature-256'] as string));
    const cloudEvent = JSON.parse(delivered.body.toString('utf8'));
    assert.equal(cloudEvent.type, 'dev.cdevents.incident.detected.0.2.0');
    assert.equal(cloudEvent.id, `event-${event.id}/webhook`);
    const notification = cloudEvent.data.customData.slipway;
    assert.equal(notification.trigger, 'infra.drifted');
    assert.equal(notification.environment, 'production');
    assert.equal(notification.title, 'Infrastructure drifted: production');
    assert.equal(notification.text, '1 resource of production drifted: terraform_data.web[0] (create)');
    assert.match(notification.rendered, /^\[Infrastructure drifted\] /);

    const closing = Date.now();
    await h.server.close();
    assert.ok(Date.now() - closing < 10_000, 'close waits for the running check, then the rounds end');
    const count = (await store.listEvents({ types: ['infra.drifted'] })).length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(
      (await store.listEvents({ types: ['infra.drifted'] })).length,
      count,
      'no check after close',
    );
  });
});
