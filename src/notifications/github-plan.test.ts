import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotificationError } from './errors.js';
import { planGithub } from './github-plan.js';
import type { Notification } from './notification.js';

const BASE: Notification = {
  trigger: 'sync.succeeded',
  id: 'evt-1',
  title: 'production in sync',
  text: '',
  environment: 'production',
  commitSha: 'a'.repeat(40),
  repository: 'acme/shop',
  at: 0,
};

describe('planGithub', () => {
  it('makes sync and pipeline triggers commit statuses with a slipway/ context', () => {
    const plan = planGithub(BASE, 'k1');
    assert.deepEqual(plan, {
      kind: 'commit-status',
      owner: 'acme',
      repo: 'shop',
      sha: 'a'.repeat(40),
      body: { state: 'success', context: 'slipway/sync/production', description: 'production in sync' },
    });
    const waiting = planGithub({ ...BASE, trigger: 'approval.waiting', pipeline: 'release' }, 'k2');
    assert.equal(waiting.kind === 'commit-status' && waiting.body.state, 'pending');
    assert.equal(waiting.kind === 'commit-status' && waiting.body.context, 'slipway/release/production');
  });

  it('makes deploy triggers a deployment of the SHA, failed when the deploy failed', () => {
    const plan = planGithub({ ...BASE, trigger: 'deploy.completed', outcome: 'failure' }, 'k3');
    assert.equal(plan.kind, 'deployment');
    if (plan.kind !== 'deployment') return;
    assert.equal(plan.deployment.ref, 'a'.repeat(40));
    assert.equal(plan.deployment.auto_merge, false);
    assert.deepEqual(plan.deployment.required_contexts, []);
    assert.equal(plan.status.state, 'failure');
  });

  it("makes findings.recorded a code scanning upload for the run's commit and branch", () => {
    const findings = { run: 12, job: 'sast', branch: 'release/2.x', tools: ['Semgrep'] };
    assert.deepEqual(planGithub({ ...BASE, trigger: 'findings.recorded', findings }, 'k5'), {
      kind: 'code-scanning',
      owner: 'acme',
      repo: 'shop',
      commitSha: 'a'.repeat(40),
      ref: 'refs/heads/release/2.x',
      findings,
    });
  });

  it('clips descriptions to the 140 characters GitHub accepts', () => {
    const plan = planGithub({ ...BASE, title: 'x'.repeat(300) }, 'k4');
    assert.equal(plan.kind === 'commit-status' && plan.body.description.length, 140);
  });

  it('refuses what GitHub has no place for, permanently', () => {
    const refusals: [Partial<Notification>, string][] = [
      [{ trigger: 'health.degraded' }, 'UNSUPPORTED_TRIGGER'],
      [{ repository: 'not-a-repo' }, 'MISSING_FIELD'],
      [{ commitSha: undefined }, 'MISSING_FIELD'],
      [{ trigger: 'deploy.completed', environment: undefined }, 'MISSING_FIELD'],
      [{ trigger: 'findings.recorded' }, 'MISSING_FIELD'],
      [{ trigger: 'findings.recorded', findings: { run: 1, job: 'sast', tools: [] } }, 'MISSING_FIELD'],
    ];
    for (const [change, code] of refusals) {
      assert.throws(
        () => planGithub({ ...BASE, ...change } as Notification, 'k'),
        (error: unknown) => error instanceof NotificationError && error.code === code && !error.retryable,
      );
    }
  });
});
