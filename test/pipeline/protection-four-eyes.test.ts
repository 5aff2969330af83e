// Four eyes through the real CLI: production needs two distinct approvers, neither the run's starter.
// The starter's approval and a second one by the same approver are refused (exit 2, naming the
// rule); the first approval leaves the gate waiting at 1 of 2, the second opens it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { show } from './helpers/cli.js';
import { finishedJobs, runEvents, startedRunId } from './helpers/events.js';
import { createProject } from './helpers/project.js';

const as = (actor: string) => ({ env: { SLIPWAY_ACTOR: actor } });

describe('approvers: four eyes', { concurrency: true }, () => {
  test('the starter and a repeated approver are refused; the second distinct approver opens the gate', async (t) => {
    const project = createProject(t, 'protection-four-eyes.yaml');
    const running = project.start(['run', '--json'], { ...as('carol'), timeoutMs: 40_000 });
    await running.waitForStdout(/"type":"approval\.waiting"/);
    const id = await startedRunId(running.stdout);

    const self = await project.run(['approve', String(id), 'production'], as('carol'));
    assert.equal(self.code, 2, show(self));
    assert.match(
      self.stderr,
      new RegExp(
        `protection rule 'approvers\\.excludeStarter' of production: carol started run ${id}, so another approver must approve it`,
      ),
    );

    const first = await project.run(
      ['approve', String(id), 'production', '--comment', 'tests are green'],
      as('alice'),
    );
    assert.equal(first.code, 0, show(first));
    assert.equal(
      first.stdout.trim(),
      `production of run ${id}: approval by alice recorded (1 of 2 approvals); it needs 1 more from another approver`,
    );
    const [waiting] = await project.runs();
    assert.equal(waiting?.status, 'waiting', 'one approval of two leaves the run waiting');

    const again = await project.run(['approve', String(id), 'production'], as('alice'));
    assert.equal(again.code, 2, show(again));
    assert.match(
      again.stderr,
      /protection rule 'approvers\.required' of production: needs 2 distinct approvers, and alice already approved \(1 of 2\)/,
    );

    const json = await project.run(['approve', String(id), 'production', '--json'], as('bob'));
    assert.equal(json.code, 0, show(json));
    assert.deepEqual(JSON.parse(json.stdout), {
      run: id,
      environment: 'production',
      decision: 'approved',
      by: 'bob',
      status: 'approved',
      approvals: 2,
      required: 2,
      runActive: true,
    });

    const result = await running.result;
    assert.equal(result.code, 0, show(result));
    const events = runEvents(result.stdout);
    assert.equal(finishedJobs(events).get('deploy.production')?.status, 'success');
    assert.deepEqual(
      events.filter((e) => e.type === 'approval.decided'),
      [
        {
          type: 'approval.decided',
          run: id,
          environment: 'production',
          decision: 'approved',
          by: 'alice, bob',
        },
      ],
    );
    assert.equal(project.read('deployed.txt'), 'production\n');

    const log = await project.events(id);
    assert.deepEqual(
      log.filter((e) => e.type === 'approval.granted').map((e) => [e.actor, e.data]),
      [
        ['alice', { comment: 'tests are green', approvals: 1, required: 2 }],
        ['bob', { approvals: 2, required: 2 }],
      ],
    );
    assert.deepEqual(
      log.filter((e) => e.type === 'protection.blocked').map((e) => [e.actor, e.environment, e.data.rule]),
      [
        ['carol', 'production', 'approvers.excludeStarter'],
        ['alice', 'production', 'approvers.required'],
      ],
    );
    assert.deepEqual(
      log.filter((e) => e.type === 'approval.requested').map((e) => e.data),
      [{ required: 2 }],
    );
  });

  test('the starter may still reject, and one rejection ends the gate', async (t) => {
    const project = createProject(t, 'protection-four-eyes.yaml');
    const running = project.start(['run', '--json'], { ...as('carol'), timeoutMs: 40_000 });
    await running.waitForStdout(/"type":"approval\.waiting"/);
    const id = await startedRunId(running.stdout);
    const first = await project.run(['approve', String(id), 'production'], as('alice'));
    assert.equal(first.code, 0, show(first));
    const reject = await project.run(['reject', String(id), 'production'], as('carol'));
    assert.equal(reject.code, 0, show(reject));
    assert.equal(reject.stdout.trim(), `production of run ${id} rejected by carol`);
    const result = await running.result;
    assert.equal(result.code, 1, show(result));
    assert.equal(
      finishedJobs(runEvents(result.stdout)).get('deploy.production')?.message,
      'rejected by carol',
    );
    assert.equal(project.exists('deployed.txt'), false);
  });
});
