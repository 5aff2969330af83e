// The infrastructure API of a real server over a real Terraform project: a run's gate shows the
// plan it approves, a policy deny refuses the approval until an admin overrides it (an approver
// may not), the approved plan is applied, the plans are listed and read, the override is in the
// event log and the audit trail, and drift is checked on demand (refused while the environment is busy).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { leaseKey, withInfraLease } from '../../src/infra/infra-lease.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { skipWithout, TERRAFORM } from '../helpers/outside-program.js';
import {
  applyProduction,
  forgetInState,
  infraServerProject,
  infraServerYaml,
  stateList,
} from './helpers/infra-server-project.js';
import { type Harness, startServer, waitFor } from './helpers/server-harness.js';

const REASON = 'retiring a replica (CHG-7)';

describe('infrastructure API', { skip: skipWithout(TERRAFORM), timeout: 60_000 }, () => {
  let h: Harness;
  let store: Store;
  let dir: string;
  let firstPlan: number;

  before(async () => {
    // Production runs 2 replicas; the pipeline's config wants 1, so its plan destroys one.
    dir = infraServerProject({ replicas: 2 });
    store = await openStore({ projectDir: dir });
    firstPlan = (await applyProduction(dir, store)).id;
    writeFileSync(join(dir, 'slipway.yaml'), infraServerYaml({ replicas: 1 }));
    h = await startServer(dir, store);
  });
  after(async () => {
    await h?.close();
    await store?.close();
  });

  const decide = (runId: number, token: string, body: Record<string, unknown>) =>
    h.api('POST', `/api/v1/runs/${runId}/approvals/production/approve`, { token, body });

  test('a denied plan at the gate: 409 without an override, 403 for an approver, applied after an admin overrides', async () => {
    assert.deepEqual(stateList(dir), ['terraform_data.web[0]', 'terraform_data.web[1]']);
    const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: {} });
    assert.equal(started.status, 202, started.text);
    const runId: number = started.json.runId;
    await waitFor('the production gate', async () =>
      (await h.store.getApproval(runId, 'production'))?.status === 'pending' ? true : undefined,
    );

    const gates = await h.api('GET', `/api/v1/runs/${runId}/approvals`, { token: h.tokens.viewer });
    assert.equal(gates.status, 200, gates.text);
    const plan = gates.json.approvals[0].infraPlan;
    assert.equal(plan.runId, runId);
    assert.equal(plan.status, 'planned');
    assert.deepEqual(
      {
        add: plan.terraform.summary.add,
        change: plan.terraform.summary.change,
        destroy: plan.terraform.summary.destroy,
      },
      { add: 0, change: 0, destroy: 1 },
    );
    assert.deepEqual(plan.terraform.summary.changes, [
      { address: 'terraform_data.web[1]', action: 'delete', changed: [] },
    ]);
    assert.equal(plan.policy.denied, 1);
    assert.deepEqual(
      plan.policy.violations
        .filter((v: { severity: string }) => v.severity === 'deny')
        .map((v: { rule: string }) => v.rule),
      ['no-destroy-in-production'],
    );

    const refused = await decide(runId, h.tokens.approver, { comment: 'fine by me' });
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.json.error.code, 'INFRA_POLICY_DENIED');
    assert.match(refused.json.error.message, /no-destroy-in-production/);
    const notAdmin = await decide(runId, h.tokens.approver, { override: REASON });
    assert.equal(notAdmin.status, 403, notAdmin.text);
    assert.match(notAdmin.json.error.message, /needs the admin role/);
    assert.equal((await h.store.getApproval(runId, 'production'))?.status, 'pending');
    assert.deepEqual(
      stateList(dir),
      ['terraform_data.web[0]', 'terraform_data.web[1]'],
      'nothing applied yet',
    );

    const overridden = await decide(runId, h.tokens.admin, { override: REASON });
    assert.equal(overridden.status, 200, overridden.text);
    assert.equal(overridden.json.by, 'admin-token');
    const run = await waitFor('the run to finish', async () => {
      const r = await h.store.getRun(runId);
      return r?.finishedAt ? r : undefined;
    });
    assert.equal(run.status, 'success');
    assert.deepEqual(stateList(dir), ['terraform_data.web[0]']);

    // The plans, newest first, without each change's attributes.
    const list = await h.api('GET', '/api/v1/infra/production/plans', { token: h.tokens.viewer });
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.environment, 'production');
    assert.deepEqual(
      list.json.plans.map((p: { id: number; status: string; runId: number | null }) => [
        p.id,
        p.status,
        p.runId,
      ]),
      [
        [plan.id, 'applied', runId],
        [firstPlan, 'applied', null],
      ],
    );
    const [latest] = list.json.plans;
    assert.equal(latest.override.reason, REASON);
    assert.equal(latest.override.by, 'admin-token');
    assert.equal(latest.approval.by, 'admin-token');
    assert.equal(latest.approval.hash, latest.hash);
    assert.equal(latest.terraform.summary.destroy, 1);
    assert.equal(latest.terraform.changes, undefined, 'the list leaves the attribute maps out');
    assert.equal(latest.policy.denied, 1);
    assert.equal(latest.cost.currency, 'USD');
    assert.equal(typeof latest.cost.monthlyDelta, 'number');
    assert.equal(latest.cost.items, undefined);
    assert.equal(
      (await h.api('GET', '/api/v1/infra/production/plans?limit=1', { token: h.tokens.viewer })).json.plans
        .length,
      1,
    );
    assert.deepEqual(
      (await h.api('GET', '/api/v1/infra/staging/plans', { token: h.tokens.viewer })).json.plans,
      [],
    );

    // One whole plan: every change with what it was.
    const whole = await h.api('GET', `/api/v1/infra/production/plans/${plan.id}`, { token: h.tokens.viewer });
    assert.equal(whole.status, 200, whole.text);
    assert.equal(whole.json.status, 'applied');
    assert.equal(whole.json.terraform.changes.length, 1);
    assert.equal(whole.json.terraform.changes[0].address, 'terraform_data.web[1]');
    assert.equal(whole.json.terraform.changes[0].after, null);
    assert.deepEqual(whole.json.terraform.changes[0].before.input.tags, { owner: 'team-a' });
    const missing = await h.api('GET', '/api/v1/infra/production/plans/9999', { token: h.tokens.viewer });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'INFRA_PLAN_NOT_FOUND');
    const elsewhere = await h.api('GET', `/api/v1/infra/staging/plans/${plan.id}`, {
      token: h.tokens.viewer,
    });
    assert.equal(elsewhere.status, 404, 'a plan is read under its own environment only');

    // The override is in the event log with its reason, and every decision in the audit trail.
    const events = await h.api('GET', '/api/v1/events?type=infra.overridden', { token: h.tokens.viewer });
    assert.equal(events.json.events.length, 1);
    assert.equal(events.json.events[0].actor, 'admin-token');
    assert.equal(events.json.events[0].data.reason, REASON);
    assert.equal(events.json.events[0].subject, String(plan.id));
    const audit = await h.api('GET', '/api/v1/audit?limit=1000', { token: h.tokens.admin });
    const approvals = audit.json.events
      .filter(
        (e: { subject: string }) => e.subject === 'POST /api/v1/runs/:id/approvals/:environment/approve',
      )
      .map((e: { data: { token: string; status: number; path: string } }) => [
        e.data.token,
        e.data.status,
        e.data.path,
      ]);
    const path = `/api/v1/runs/${runId}/approvals/production/approve`;
    assert.deepEqual(approvals, [
      ['approver-token', 409, path],
      ['approver-token', 403, path],
      ['admin-token', 200, path],
    ]);
  });

  test('drift on demand: none after the apply, found once the state changed behind Slipway, 409 while the environment is busy', async () => {
    const drift = (environment: string, token = h.tokens.deployer) =>
      h.api('POST', `/api/v1/infra/${environment}/drift`, { token, body: {} });
    assert.equal((await drift('production', h.tokens.viewer)).status, 403);

    const clean = await drift('production');
    assert.equal(clean.status, 200, clean.text);
    assert.equal(clean.json.drifted, false);
    assert.equal(clean.json.eventId, undefined);

    forgetInState(dir, 'terraform_data.web[0]');
    const found = await drift('production');
    assert.equal(found.status, 200, found.text);
    assert.equal(found.json.drifted, true);
    assert.deepEqual(
      found.json.pending.changes.map((c: { address: string; action: string }) => `${c.action} ${c.address}`),
      ['create terraform_data.web[0]'],
    );
    const [event] = (await h.api('GET', '/api/v1/events?type=infra.drifted', { token: h.tokens.viewer })).json
      .events;
    assert.equal(event.id, found.json.eventId);
    assert.equal(event.actor, 'deployer-token');
    assert.equal(event.environment, 'production');

    // Another operation holds production: refused at once, naming it.
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
    try {
      const busy = await drift('production');
      assert.equal(busy.status, 409, busy.text);
      assert.equal(busy.json.error.code, 'INFRA_BUSY');
      assert.match(busy.json.error.message, /busy: apply by /);
    } finally {
      release();
      await lease;
    }

    const none = await drift('staging');
    assert.equal(none.status, 400, none.text);
    assert.equal(none.json.error.code, 'INFRA_NOT_CONFIGURED');
    const unknown = await drift('qa');
    assert.equal(unknown.status, 404, unknown.text);
    assert.equal(unknown.json.error.code, 'ENVIRONMENT_NOT_FOUND');
    assert.match(unknown.json.error.message, /environments: staging, production/);
    const audit = await h.api('GET', '/api/v1/audit?limit=1000', { token: h.tokens.admin });
    const checks = audit.json.events.filter(
      (e: { subject: string; data: { status: number } }) =>
        e.subject === 'POST /api/v1/infra/:environment/drift' && e.data.status === 200,
    );
    assert.deepEqual(
      checks.map((e: { data: { details: { drifted: boolean } } }) => e.data.details.drifted),
      [false, true],
    );
  });

  test('the CLI with --server: infra show prints the latest plan, infra drift exits 1 on drift, plan and apply stay local', async () => {
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [join(import.meta.dirname, '..', '..', 'bin', 'slipway.js'), '--server', h.url, ...args],
          {
            cwd: dir,
            env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', SLIPWAY_TOKEN: h.tokens.deployer },
            timeout: 60_000,
          },
          (error, stdout, stderr) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const show = await cli('infra', 'show', 'production');
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /terraform: Plan: 0 to add, 0 to change, 1 to destroy\./);
    assert.match(
      show.stdout,
      /status: applied by admin-token \(policy overridden by admin-token: retiring a replica \(CHG-7\)\)/,
    );
    const first = await cli('--json', 'infra', 'show', 'production', '--plan', String(firstPlan));
    assert.equal(JSON.parse(first.stdout).id, firstPlan);
    const drift = await cli('infra', 'drift', 'production');
    assert.equal(drift.code, 1, drift.stderr);
    assert.match(drift.stdout, /differs from the configuration: Plan: 1 to add, 0 to change, 0 to destroy\./);
    const plan = await cli('infra', 'plan', 'production');
    assert.equal(plan.code, 2);
    assert.match(plan.stderr, /runs locally only/);
  });
});
