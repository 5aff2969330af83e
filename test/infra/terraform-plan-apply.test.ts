// Plan, approve and apply with real Terraform (terraform_data, local backend): the summary, policy
// and cost of a plan, apply of exactly the approved plan, and each refusal: stale, changed, not
// approved, denied by policy, busy.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { applyInfrastructure } from '../../src/infra/apply-infrastructure.js';
import { approvePlan, type PlanApproval } from '../../src/infra/approve-plan.js';
import { detectDrift } from '../../src/infra/detect-drift.js';
import { PLAN_FILE, planInfrastructure } from '../../src/infra/plan-infrastructure.js';
import { getInfraPlan, type InfraPlan } from '../../src/infra/plan-record.js';
import { terraformEnv } from '../../src/infra/terraform/terraform-env.js';
import type { Store } from '../../src/store/store.js';
import { skipWithout, TERRAFORM } from '../helpers/outside-program.js';
import { infraProject, withVars } from './infra-project.js';

const skip = skipWithout(TERRAFORM);

function stateList(dir: string): string[] {
  return execFileSync('terraform', [`-chdir=${join(dir, 'infra')}`, 'state', 'list'], {
    env: terraformEnv(process.env),
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .filter((l) => l !== '');
}

const approve = (store: Store, plan: InfraPlan, extra: Partial<PlanApproval> = {}) =>
  approvePlan((e) => store.appendEvent(e), plan, { actor: 'alice', admin: true, ...extra });

describe('infrastructure with real Terraform', { skip, concurrency: 3 }, () => {
  test('a plan is summarized, checked and priced; the approved plan is applied exactly', async () => {
    const p = await infraProject();
    try {
      const lines: string[] = [];
      const plan = await planInfrastructure(p.deps({ log: (l) => lines.push(l) }), {
        environment: 'production',
        infrastructure: p.infrastructure,
        actor: 'alice',
      });
      assert.equal(plan.status, 'planned');
      assert.deepEqual(
        {
          add: plan.terraform?.summary.add,
          change: plan.terraform?.summary.change,
          destroy: plan.terraform?.summary.destroy,
        },
        { add: 3, change: 0, destroy: 0 },
      );
      assert.deepEqual(
        plan.terraform?.summary.changes.map((c) => `${c.action} ${c.address}`),
        ['create terraform_data.secret', 'create terraform_data.web[0]', 'create terraform_data.web[1]'],
      );
      // The sensitive variable's value is nowhere in what Slipway keeps.
      const events = await p.store.listEvents({ types: ['infra.planned'] });
      assert.equal(events.length, 1);
      assert.ok(!JSON.stringify(events).includes('tf-secret-value'));
      assert.ok(lines.includes('terraform: Plan: 3 to add, 0 to change, 0 to destroy.'));
      // Two small terraform_data at 15.50 each; the secret's catch-all price is 0.
      assert.equal(plan.cost?.monthlyDelta, 31);
      assert.equal(plan.cost?.unpriced.length, 0);
      assert.equal(plan.policy?.denied, 0);
      assert.match(plan.hash, /^[0-9a-f]{64}$/);
      assert.ok(existsSync(join(plan.dir, PLAN_FILE)));

      await assert.rejects(
        applyInfrastructure(p.deps(), {
          environment: 'production',
          infrastructure: p.infrastructure,
          planId: plan.id,
          actor: 'alice',
        }),
        { code: 'INFRA_PLAN_NOT_APPROVED' },
      );
      await approve(p.store, plan);
      const applied = await applyInfrastructure(p.deps(), {
        environment: 'production',
        infrastructure: p.infrastructure,
        planId: plan.id,
        actor: 'alice',
      });
      assert.equal(applied.status, 'applied');
      assert.equal(applied.approval?.hash, plan.hash);
      assert.deepEqual(stateList(p.dir), [
        'terraform_data.secret',
        'terraform_data.web[0]',
        'terraform_data.web[1]',
      ]);
      await assert.rejects(
        applyInfrastructure(p.deps(), {
          environment: 'production',
          infrastructure: p.infrastructure,
          planId: plan.id,
          actor: 'alice',
        }),
        { code: 'INFRA_PLAN_APPLIED' },
      );
      // Nothing changed since: the next plan has no changes.
      const again = await planInfrastructure(p.deps(), {
        environment: 'production',
        infrastructure: p.infrastructure,
        actor: 'alice',
      });
      assert.equal(again.terraform?.summary.changes.length, 0);
    } finally {
      await p.close();
    }
  });

  test('a plan older than the state is refused with a message to plan again; a changed plan file is refused', async () => {
    const p = await infraProject();
    try {
      const req = { environment: 'production', infrastructure: p.infrastructure, actor: 'alice' };
      const first = await planInfrastructure(p.deps(), req);
      const second = await planInfrastructure(p.deps(), req);
      assert.notEqual(first.id, second.id);
      // An approval binds to one plan: the second plan is not approved by the first's approval.
      await approve(p.store, first);
      assert.equal((await getInfraPlan(p.store, 'production', second.id)).status, 'planned');
      await approve(p.store, second);
      await applyInfrastructure(p.deps(), { ...req, planId: second.id });
      const stale = applyInfrastructure(p.deps(), { ...req, planId: first.id });
      await assert.rejects(stale, (error: Error & { code?: string }) => {
        assert.equal(error.code, 'INFRA_PLAN_STALE');
        assert.match(error.message, /stale/);
        assert.match(error.message, /slipway infra plan production/);
        return true;
      });
      const failed = await getInfraPlan(p.store, 'production', first.id);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.failure?.code, 'INFRA_PLAN_STALE');

      const third = await planInfrastructure(p.deps(), withVarsReq(req, { replicas: '3' }));
      await approve(p.store, third);
      appendFileSync(join(third.dir, PLAN_FILE), 'tampered');
      await assert.rejects(
        applyInfrastructure(p.deps(), { ...withVarsReq(req, { replicas: '3' }), planId: third.id }),
        {
          code: 'INFRA_PLAN_CHANGED',
        },
      );
      assert.equal(stateList(p.dir).length, 3);
    } finally {
      await p.close();
    }
  });

  test('a policy deny blocks the approval until an admin overrides it with a written reason', async () => {
    const p = await infraProject();
    try {
      const req = { environment: 'production', infrastructure: p.infrastructure, actor: 'alice' };
      const created = await planInfrastructure(p.deps(), req);
      await approve(p.store, created);
      await applyInfrastructure(p.deps(), { ...req, planId: created.id });
      const fewer = withVarsReq(req, { replicas: '1' });
      const plan = await planInfrastructure(p.deps(), fewer);
      assert.equal(plan.terraform?.summary.destroy, 1);
      assert.equal(plan.policy?.denied, 1);
      const deny = plan.policy?.violations.find((v) => v.severity === 'deny');
      assert.equal(deny?.rule, 'no-destroy-in-production');
      assert.equal(deny?.address, 'terraform_data.web[1]');
      assert.equal(plan.cost?.monthlyDelta, -15.5);

      await assert.rejects(approve(p.store, plan), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'INFRA_POLICY_DENIED');
        assert.match(e.message, /no-destroy-in-production/);
        return true;
      });
      await assert.rejects(
        approve(p.store, plan, { admin: false, override: 'the replica is retired on purpose' }),
        {
          code: 'INFRA_POLICY_DENIED',
        },
      );
      await assert.rejects(approve(p.store, plan, { override: 'ok' }), { code: 'INFRA_OVERRIDE_INVALID' });
      assert.equal((await getInfraPlan(p.store, 'production', plan.id)).status, 'planned');
      await approve(p.store, plan, { override: 'the replica is retired on purpose (CHG-42)' });
      const approved = await getInfraPlan(p.store, 'production', plan.id);
      assert.equal(approved.status, 'approved');
      assert.deepEqual(approved.override && { by: approved.override.by, reason: approved.override.reason }, {
        by: 'alice',
        reason: 'the replica is retired on purpose (CHG-42)',
      });
      const [audit] = await p.store.listEvents({ types: ['infra.overridden'] });
      assert.deepEqual(audit?.data.rules, ['no-destroy-in-production']);
      await applyInfrastructure(p.deps(), { ...fewer, planId: plan.id });
      assert.deepEqual(stateList(p.dir), ['terraform_data.secret', 'terraform_data.web[0]']);
    } finally {
      await p.close();
    }
  });

  test('one operation per environment: a second waits or fails naming the holder', async () => {
    const p = await infraProject();
    try {
      const req = { environment: 'production', infrastructure: p.infrastructure, actor: 'alice' };
      const results = await Promise.allSettled([
        planInfrastructure(p.deps(), req),
        planInfrastructure(p.deps(), req),
      ]);
      const refused = results.filter((r) => r.status === 'rejected');
      assert.equal(refused.length, 1);
      const reason = (refused[0] as PromiseRejectedResult).reason as Error & { code?: string };
      assert.equal(reason.code, 'INFRA_BUSY');
      assert.match(reason.message, /shop\/production' is busy: plan by /);
      // With a wait, the second runs after the first.
      const waited = await Promise.all([
        planInfrastructure(p.deps(), req),
        planInfrastructure(p.deps({ waitMs: 60_000 }), req),
      ]);
      assert.equal(waited.length, 2);
      assert.equal((await p.store.listEvents({ types: ['infra.planned'] })).length, 3);
    } finally {
      await p.close();
    }
  });

  test('drift: none after an apply; an apply made outside Slipway with other variables is drift', async () => {
    const p = await infraProject();
    try {
      const req = { environment: 'production', infrastructure: p.infrastructure, actor: 'alice' };
      const plan = await planInfrastructure(p.deps(), req);
      await approve(p.store, plan);
      await applyInfrastructure(p.deps(), { ...req, planId: plan.id });
      const clean = await detectDrift(p.deps(), req);
      assert.equal(clean.drifted, false);
      assert.equal((await p.store.listEvents({ types: ['infra.drifted'] })).length, 0);
      // Someone applies by hand with another size.
      execFileSync(
        'terraform',
        [`-chdir=${join(p.dir, 'infra')}`, 'apply', '-auto-approve', '-input=false', '-var=size=large'],
        { env: terraformEnv(process.env), stdio: 'ignore' },
      );
      const drift = await detectDrift(p.deps(), req);
      assert.equal(drift.drifted, true);
      assert.deepEqual(
        drift.pending.changes.map((c) => `${c.action} ${c.address} ${c.changed.join(',')}`),
        ['update terraform_data.web[0] input,output', 'update terraform_data.web[1] input,output'],
      );
      const [event] = await p.store.listEvents({ types: ['infra.drifted'] });
      assert.equal(event?.environment, 'production');
      assert.equal(event?.data.count, 2);
    } finally {
      await p.close();
    }
  });
});

function withVarsReq<T extends { infrastructure: Parameters<typeof withVars>[0] }>(
  req: T,
  vars: Record<string, string>,
): T {
  return { ...req, infrastructure: withVars(req.infrastructure, vars) };
}
