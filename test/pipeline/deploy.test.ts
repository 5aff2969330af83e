// Deploy stages: auto environments deploy at once, manual_approval ones wait for approve/reject from
// another process, and every decision lands in the event log with who made it and when.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { show } from './helpers/cli.js';
import {
  eventsSoFar,
  finishedJobs,
  runEvents,
  runIdOf,
  runStatusOf,
  startedRunId,
  statusByJob,
} from './helpers/events.js';
import { createProject } from './helpers/project.js';

// The run is started by one actor and decided by another, so the event log must name the approver.
const RUNNER = { SLIPWAY_ACTOR: 'pipeline-bot' };

describe('deploy stage with a manual gate', { concurrency: true }, () => {
  test('dev deploys automatically; production waits for `slipway approve`, then deploys', async (t) => {
    const project = createProject(t, 'deploy-dev-auto-production-manual.yaml');
    const running = project.start(['run', '--json'], { env: RUNNER, timeoutMs: 30_000 });
    await running.waitForStdout(/"type":"approval\.waiting"/);
    const sofar = eventsSoFar(running.stdout());
    const id = runIdOf(sofar);
    const waiting = sofar.find((e) => e.type === 'approval.waiting');
    assert.deepEqual(waiting, {
      type: 'approval.waiting',
      run: id,
      environment: 'production',
      command: `slipway approve ${id} production`,
    });

    await t.test('while waiting: dev is deployed, production is not, the run is `waiting`', async () => {
      assert.deepEqual(statusByJob(sofar), { build: 'success', 'deploy.dev': 'success' });
      assert.equal(project.read('deployed.txt'), 'dev dev\n');
      const [run] = await project.runs();
      assert.equal(run?.status, 'waiting');
      assert.equal(running.running(), true, 'slipway run exited while waiting for approval');
    });

    const before = Date.now();
    const approve = await project.run(['approve', String(id), 'production']);
    const after = Date.now();
    assert.equal(approve.code, 0, show(approve));
    const result = await running.result;

    await t.test('after approve: production deploys and the run succeeds', () => {
      assert.equal(result.code, 0, show(result));
      const events = runEvents(result.stdout);
      assert.equal(runStatusOf(events), 'success');
      assert.equal(finishedJobs(events).get('deploy.production')?.status, 'success');
      assert.equal(project.read('deployed.txt'), 'dev dev\nproduction production\n');
    });

    await t.test('the event log has the request, the approver and time, and both deployments', async () => {
      const events = await project.events(id);
      const requested = events.find((e) => e.type === 'approval.requested');
      assert.equal(requested?.environment, 'production');
      const granted = events.filter((e) => e.type === 'approval.granted');
      assert.equal(granted.length, 1, JSON.stringify(events));
      assert.equal(granted[0]?.actor, 'tester');
      assert.equal(granted[0]?.environment, 'production');
      assert.ok(
        granted[0]!.time >= before && granted[0]!.time <= after,
        `approval time ${granted[0]!.time} not within [${before}, ${after}]`,
      );
      assert.deepEqual(
        events.filter((e) => e.type === 'service.deployed').map((e) => e.environment),
        ['dev', 'production'],
      );
      // Environments with their own `run:` are deploys only the pipeline sees: each carries its record.
      for (const e of events.filter((e) => e.type === 'service.deployed')) {
        const deploy = e.data.deploy as {
          result: string;
          startedAt: number;
          changes: unknown[];
          traffic: null;
        };
        assert.equal(deploy.result, 'completed');
        assert.ok(deploy.startedAt <= e.time && deploy.startedAt > e.time - 60_000);
        assert.deepEqual([deploy.changes, deploy.traffic], [[], null], 'outside git: no commits known');
      }
      const finished = events.filter((e) => e.type === 'pipelinerun.finished');
      assert.deepEqual(
        finished.map((e) => e.data.status),
        ['success'],
      );
    });
  });

  test('`slipway reject` ends the run as failure without deploying production', async (t) => {
    const project = createProject(t, 'deploy-shorthand-for-reject.yaml');
    const running = project.start(['run', '--json'], { env: RUNNER, timeoutMs: 30_000 });
    await running.waitForStdout(/"type":"approval\.waiting"/);
    const id = await startedRunId(running.stdout);

    const reject = await project.run(['reject', String(id), 'production']);
    assert.equal(reject.code, 0, show(reject));
    const result = await running.result;
    assert.equal(result.code, 1, show(result));
    const events = runEvents(result.stdout);
    assert.equal(runStatusOf(events), 'failure');
    assert.deepEqual(statusByJob(events), {
      build: 'success',
      'deploy.dev': 'success',
      'deploy.production': 'failure',
    });
    assert.match(finishedJobs(events).get('deploy.production')?.message ?? '', /rejected by tester/);
    assert.equal(project.exists('deployed-production'), false);

    const [run] = await project.runs();
    assert.equal(run?.status, 'failure');
    const rejected = (await project.events(id)).filter((e) => e.type === 'approval.rejected');
    assert.deepEqual(
      rejected.map((e) => [e.actor, e.environment]),
      [['tester', 'production']],
    );
  });

  test('approving an environment that is not waiting is an error naming what waits', async (t) => {
    const project = createProject(t, 'deploy-shorthand-for-reject.yaml');
    const running = project.start(['run', '--json'], { env: RUNNER, timeoutMs: 30_000 });
    await running.waitForStdout(/"type":"approval\.waiting"/);
    const id = await startedRunId(running.stdout);
    const wrong = await project.run(['approve', String(id), 'staging']);
    assert.equal(wrong.code, 2, show(wrong));
    assert.match(wrong.stderr, /production/);
    const cancel = await project.run(['cancel', String(id)]);
    assert.equal(cancel.code, 0, show(cancel));
    const result = await running.result;
    assert.equal(result.code, 130, show(result));
  });
});
