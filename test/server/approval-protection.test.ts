// Approval protection: an environment with `preventSelfApproval` refuses the approval of the
// token that started the run; another approver may approve, and unprotected gates are unchanged.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { formatDiagnostic } from '../../src/config/diagnostic.js';
import { loadConfigText } from '../../src/config/load-config.js';
import { type Harness, startServer, tempProject, waitFor } from './helpers/server-harness.js';

const PIPELINE = `version: 1
project: { name: guarded }
jobs:
  build: { run: echo built }
pipeline:
  stages:
    - name: build
      parallel: [build]
    - name: deploy
      environments:
        - staging: { approval: manual_approval, run: echo staged }
        - production: { approval: manual_approval, run: echo deployed }
environments:
  staging: {}
  production:
    approval: { preventSelfApproval: true }
`;

describe('approval protection', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(await tempProject(PIPELINE));
  });
  after(async () => {
    await h.close();
  });

  const pending = (runId: number, environment: string) =>
    waitFor(`the ${environment} gate`, async () => {
      const approvals = (await h.store.listApprovals(runId)).filter((a) => a.environment === environment);
      return approvals[0]?.status === 'pending' ? approvals[0] : undefined;
    });

  test('the run starter approves an unprotected gate but not a preventSelfApproval one; another approver may', async () => {
    const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.approver, body: {} });
    assert.equal(started.status, 202, started.text);
    const runId: number = started.json.runId;
    assert.equal((await h.store.getRun(runId))?.actor, 'approver-token');

    await pending(runId, 'staging');
    const staging = await h.api('POST', `/api/v1/runs/${runId}/approvals/staging/approve`, {
      token: h.tokens.approver,
      body: {},
    });
    assert.equal(staging.status, 200, 'staging does not prevent self-approval');

    await pending(runId, 'production');
    const self = await h.api('POST', `/api/v1/runs/${runId}/approvals/production/approve`, {
      token: h.tokens.approver,
      body: {},
    });
    assert.equal(self.status, 403);
    assert.equal(self.json.error.code, 'SELF_APPROVAL');
    assert.equal((await h.store.getApproval(runId, 'production'))?.status, 'pending');

    const other = await h.api('POST', `/api/v1/runs/${runId}/approvals/production/approve`, {
      token: h.tokens.admin,
      body: { comment: 'looks good' },
    });
    assert.equal(other.status, 200, other.text);
    assert.equal(other.json.by, 'admin-token');
    const run = await waitFor('the run to finish', async () => {
      const r = await h.store.getRun(runId);
      return r?.finishedAt ? r : undefined;
    });
    assert.equal(run.status, 'success');
  });

  test('the run starter may still reject a protected gate', async () => {
    const started = await h.api('POST', '/api/v1/runs', {
      token: h.tokens.approver,
      body: { stage: 'deploy' },
    });
    assert.equal(started.status, 202, started.text);
    const runId: number = started.json.runId;
    await pending(runId, 'staging');
    await h.api('POST', `/api/v1/runs/${runId}/approvals/staging/approve`, {
      token: h.tokens.approver,
      body: {},
    });
    await pending(runId, 'production');
    const reject = await h.api('POST', `/api/v1/runs/${runId}/approvals/production/reject`, {
      token: h.tokens.approver,
      body: {},
    });
    assert.equal(reject.status, 200, reject.text);
  });
});

describe('approval protection config', () => {
  test('defaults to required 1 without self-approval prevention; required > 1 is an error at its line:col', () => {
    const plain = loadConfigText('environments:\n  staging: {}\n');
    assert.deepEqual(plain.config?.environments.staging?.approval, {
      required: 1,
      preventSelfApproval: false,
    });
    const set = loadConfigText('environments:\n  production:\n    approval: { preventSelfApproval: true }\n');
    assert.deepEqual(set.config?.environments.production?.approval, {
      required: 1,
      preventSelfApproval: true,
    });
    const two = loadConfigText('environments:\n  production:\n    approval:\n      required: 2\n');
    assert.equal(two.config, undefined);
    assert.deepEqual(
      two.diagnostics.map((d) => formatDiagnostic('slipway.yaml', d)),
      [
        'slipway.yaml:4:17: error: environments.production.approval.required: only 1 approval per gate is supported for now, got required: 2',
      ],
    );
  });
});
