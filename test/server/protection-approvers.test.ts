// Four eyes on a real server: production's `protection.approvers` needs two distinct approvers,
// neither the run's starter. The API refuses the starter and a repeated approver with 409
// PROTECTION_VIOLATION naming the rule, answers `1 of 2` after the first approval, and the gate
// opens at the second; `slipway approve --server` shows the same progress and exits 2 on a refusal.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateToken, hashToken } from '../../src/access/api-token.js';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/capture-io.js';
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
        - production: { approval: manual_approval, run: echo deployed }
environments:
  production:
    protection:
      approvers: { required: 2, excludeStarter: true }
`;

describe('protection.approvers on the server', () => {
  let h: Harness;
  // A second approver besides the harness's approver token (the admin token is a third).
  let otherApprover: string;
  before(async () => {
    h = await startServer(await tempProject(PIPELINE));
    otherApprover = generateToken();
    await h.store.createToken({
      name: 'dana',
      role: 'approver',
      hash: hashToken(otherApprover),
      createdBy: 'test',
    });
  });
  after(async () => {
    await h.close();
  });

  const startRun = async () => {
    const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.admin, body: {} });
    assert.equal(started.status, 202, started.text);
    const runId: number = started.json.runId;
    await waitFor('the production gate', async () =>
      (await h.store.getApproval(runId, 'production'))?.status === 'pending' ? true : undefined,
    );
    return runId;
  };
  const approve = (runId: number, token: string) =>
    h.api('POST', `/api/v1/runs/${runId}/approvals/production/approve`, { token, body: {} });

  test('the starter and a repeated approver get 409 naming the rule; two distinct approvers open the gate', async () => {
    const runId = await startRun();
    assert.equal((await h.store.getRun(runId))?.actor, 'admin-token');

    const self = await approve(runId, h.tokens.admin);
    assert.equal(self.status, 409, self.text);
    assert.equal(self.json.error.code, 'PROTECTION_VIOLATION');
    assert.equal(
      self.json.error.message,
      `protection rule 'approvers.excludeStarter' of production: admin-token started run ${runId}, so another approver must approve it`,
    );

    const first = await approve(runId, h.tokens.approver);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json, {
      run: runId,
      environment: 'production',
      decision: 'approved',
      by: 'approver-token',
      status: 'pending',
      approvals: 1,
      required: 2,
    });
    const gates = await h.api('GET', `/api/v1/runs/${runId}/approvals`, { token: h.tokens.viewer });
    assert.equal(gates.json.approvals[0].required, 2);
    assert.deepEqual(
      gates.json.approvals[0].votes.map((v: { by: string }) => v.by),
      ['approver-token'],
    );

    const again = await approve(runId, h.tokens.approver);
    assert.equal(again.status, 409, again.text);
    assert.equal(
      again.json.error.message,
      "protection rule 'approvers.required' of production: needs 2 distinct approvers, and approver-token already approved (1 of 2)",
    );

    const second = await approve(runId, otherApprover);
    assert.equal(second.status, 200, second.text);
    assert.equal(second.json.status, 'approved');
    assert.equal(second.json.approvals, 2);
    const run = await waitFor('the run to finish', async () => {
      const r = await h.store.getRun(runId);
      return r?.finishedAt ? r : undefined;
    });
    assert.equal(run.status, 'success');
    const blocked = await h.store.listEvents({ types: ['protection.blocked'], runId });
    assert.deepEqual(
      blocked.map((e) => [e.actor, e.data.rule]),
      [
        ['admin-token', 'approvers.excludeStarter'],
        ['approver-token', 'approvers.required'],
      ],
    );
  });

  test('`slipway approve --server` prints 1 of 2, then the opening, and exits 2 on a refusal', async () => {
    const runId = await startRun();
    const remote = async (token: string, ...argv: string[]) => {
      const io = captureIo(h.projectDir, { PATH: process.env.PATH, SLIPWAY_TOKEN: token });
      const code = await main(['--server', h.url, ...argv], io);
      return { code, out: io.out(), err: io.err() };
    };
    const refused = await remote(h.tokens.admin, 'approve', String(runId), 'production');
    assert.equal(refused.code, 2, refused.err);
    assert.match(refused.err, /protection rule 'approvers\.excludeStarter' of production/);
    const first = await remote(h.tokens.approver, 'approve', String(runId), 'production');
    assert.equal(first.code, 0, first.err);
    assert.equal(
      first.out.trim(),
      `production of run ${runId}: approval by approver-token recorded (1 of 2 approvals); it needs 1 more from another approver`,
    );
    const second = await remote(otherApprover, 'approve', String(runId), 'production');
    assert.equal(second.code, 0, second.err);
    assert.equal(second.out.trim(), `production of run ${runId} approved by dana (2 of 2 approvals)`);
    await waitFor('the run to finish', async () =>
      (await h.store.getRun(runId))?.finishedAt ? true : undefined,
    );
  });
});
