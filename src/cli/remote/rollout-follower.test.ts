// Unit tests of following a rollout from its recorded events.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import type { StoredEvent } from '../../store/store.js';
import { commandContext } from '../context.js';
import { followRollout } from './rollout-follower.js';

let nextId = 1;
const event = (type: StoredEvent['type'], data: Record<string, unknown>, environment = 'production') =>
  ({
    id: nextId++,
    type,
    time: 0,
    actor: 'ci',
    commitSha: null,
    service: 'web',
    environment,
    runId: null,
    subject: `rollout/${String(data.rollout)}`,
    data,
  }) as StoredEvent;

async function* stream(events: StoredEvent[]) {
  yield* events;
}

const noHistory = {
  get: async <T>() => ({ rollouts: [] }) as T,
};

function context(json: boolean) {
  let out = '';
  const stdout = new Writable({
    write(chunk, _encoding, done) {
      out += String(chunk);
      done();
    },
  });
  const ctx = commandContext({ cwd: '/', env: { NO_COLOR: '1' }, stdout, stderr: stdout }, { json });
  return { ctx, io: { out: () => out } };
}

describe('followRollout', () => {
  test('prints the steps of the rollout it follows and ends on its completion', async () => {
    const { ctx, io } = context(false);
    const end = await followRollout(
      ctx,
      noHistory,
      stream([
        event(
          'rollout.started',
          { rollout: 3, revision: 'r-000000000001', strategy: 'other', steps: 2 },
          'staging',
        ),
        event('rollout.started', {
          rollout: 4,
          revision: 'r-aaaaaaaaaaaa',
          stable: 'r-bbbbbbbbbbbb',
          strategy: 'canary',
          steps: 2,
        }),
        event('rollout.progressed', { rollout: 4, step: 0, action: 'canary' }),
        event('rollout.progressed', { rollout: 4, step: 1, action: 'promote' }),
        event('rollout.completed', { rollout: 4, revision: 'r-aaaaaaaaaaaa' }),
      ]),
      { service: 'web', env: 'production' },
      null,
    );
    assert.deepEqual(end, { rollout: 4, status: 'completed', revision: 'r-aaaaaaaaaaaa' });
    assert.equal(
      io.out(),
      'rollout 4 of r-aaaaaaaaaaaa started (canary, 2 steps, from r-bbbbbbbbbbbb)\nstep 1: canary\nstep 2: promote\nrollout completed (r-aaaaaaaaaaaa)\n',
    );
  });

  test('a rollback ends as rolled_back with its reason; --json prints the local event shapes', async () => {
    const { ctx, io } = context(true);
    const end = await followRollout(
      ctx,
      noHistory,
      stream([
        event('rollout.started', { rollout: 9, revision: 'r-cccccccccccc', strategy: 'canary', steps: 3 }),
        event('service.rolledback', { rollout: 9, reason: 'error rate 9%', restoreMs: 12 }),
        event('rollout.aborted', { rollout: 9, reason: 'error rate 9%', rolledBack: true }),
      ]),
      { service: 'web', env: 'production' },
      9,
    );
    assert.deepEqual(end, {
      rollout: 9,
      status: 'rolled_back',
      revision: 'r-cccccccccccc',
      reason: 'error rate 9%',
    });
    const lines = io
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.type),
      ['rollout.started', 'rollout.rollback', 'rollout.finished'],
    );
    assert.equal(lines[2].status, 'rolled_back');
  });
});
