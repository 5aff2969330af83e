// Unit tests of the mapping from a run's stored events to reporter events.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StoredEvent } from '../../store/store.js';
import { toRunEvent } from './run-event-map.js';

const event = (patch: Partial<StoredEvent>): StoredEvent => ({
  id: 1,
  type: 'pipelinerun.queued',
  time: 0,
  actor: 'ci',
  commitSha: null,
  service: null,
  environment: null,
  runId: 7,
  subject: null,
  data: {},
  ...patch,
});

describe('toRunEvent', () => {
  test('maps the events of a run to what reporters render', () => {
    assert.deepEqual(toRunEvent(event({ type: 'pipelinerun.started', data: { pipeline: 'web' } })), {
      type: 'run.started',
      run: 7,
      pipeline: 'web',
      jobs: [],
    });
    assert.deepEqual(toRunEvent(event({ type: 'taskrun.started', subject: 'test[node=20]' })), {
      type: 'job.started',
      job: 'test[node=20]',
      attempt: 1,
    });
    assert.deepEqual(
      toRunEvent(
        event({
          type: 'taskrun.finished',
          subject: 'build',
          data: { status: 'failure', attempts: 2, exitCode: 3, durationMs: 40, stage: 'ci' },
        }),
      ),
      { type: 'job.finished', job: 'build', status: 'failure', attempts: 2, exitCode: 3, durationMs: 40 },
    );
    assert.deepEqual(toRunEvent(event({ type: 'approval.requested', environment: 'production' })), {
      type: 'approval.waiting',
      run: 7,
      environment: 'production',
      command: 'slipway approve 7 production',
    });
    assert.deepEqual(
      toRunEvent(event({ type: 'approval.rejected', environment: 'production', actor: 'ana' })),
      { type: 'approval.decided', run: 7, environment: 'production', decision: 'rejected', by: 'ana' },
    );
    assert.deepEqual(
      toRunEvent(event({ type: 'pipelinerun.finished', data: { status: 'success', durationMs: 9 } })),
      { type: 'run.finished', run: 7, status: 'success', durationMs: 9 },
    );
  });

  test('ignores events reporters do not show', () => {
    assert.equal(toRunEvent(event({ type: 'pipelinerun.queued' })), undefined);
    assert.equal(toRunEvent(event({ type: 'service.deployed' })), undefined);
  });
});
