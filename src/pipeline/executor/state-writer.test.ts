import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { RunProgress, Store } from '../../store/store.js';
import { StateWriter } from './state-writer.js';

/** A store that takes only progress batches, resolving at once like the SQLite fast path. */
function progressStore(onWrite: (progress: RunProgress) => void = () => {}) {
  const batches: RunProgress[] = [];
  const store = {
    writeRunProgress: async (_runId: number, progress: RunProgress) => {
      batches.push({ logs: [...progress.logs], jobs: [...progress.jobs], events: [...progress.events] });
      onWrite(progress);
    },
  } as unknown as Store;
  return { store, batches };
}

test('a coalescing timer that fires after its writes were already drained does not wedge flush', () => {
  const fixture = new URL('../../../test/pipeline/fixtures/state-writer-wedge.ts', import.meta.url).pathname;
  const child = spawnSync(process.execPath, ['--import', 'tsx', fixture], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(
    child.stdout,
    'flushed\n',
    `the flush never returned (${child.signal ?? child.status}): ${child.stderr}`,
  );
});

test('writes queued together go out in one batch, in order', async () => {
  const { store, batches } = progressStore();
  const writer = new StateWriter(store, 1, 1000);
  writer.job('a', { status: 'running' });
  writer.event({ type: 'taskrun.started', actor: 'x', runId: 1, subject: 'a' });
  writer.job('a', { status: 'success' });
  await writer.flush();
  assert.equal(batches.length, 1);
  assert.deepEqual(
    batches[0]?.jobs.map((j) => j.patch.status),
    ['running', 'success'],
  );
});
