// The expand and contract steps on a fake clock with real shell commands: a failed expand aborts
// with no traffic moved, a failed contract leaves the new revision serving with a retry command
// that works, and a passing pair runs expand before traffic and contract after the analysed hold.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  type ControllerHarness,
  controllerHarness,
  INSTANCES,
  step,
} from '../../../test/rollout/controller-harness.js';
import type { ResolvedMigrations } from '../../config/resolved-migrations.js';
import type { MigrationRecord } from './migration-record.js';

const run = promisify(execFile);

describe('RolloutController: expand and contract', { timeout: 20_000 }, () => {
  let h: ControllerHarness;
  let S: string;
  let N: string;
  let dir: string;
  beforeEach(async () => {
    h = await controllerHarness();
    S = h.stable.id;
    N = h.next.id;
    dir = await mkdtemp(join(tmpdir(), 'slipway-migrations-'));
  });
  afterEach(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  const migrations = (m: Partial<ResolvedMigrations>): ResolvedMigrations => ({
    contractAfterMs: 60_000,
    timeoutMs: 10_000,
    ...m,
  });
  const records = async (id: number) =>
    ((await h.store.getRollout(id))?.data.migrations ?? {}) as Record<string, MigrationRecord>;

  test('a failed expand aborts before the new revision starts or gets any traffic', async () => {
    const rollout = await h.begin(
      [
        step('expand', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: 0 }),
        step('scaleUp', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: 1 }),
        step('promote', { [N]: 100 }, { [S]: INSTANCES, [N]: INSTANCES }),
      ],
      {
        workdir: dir,
        migrations: migrations({
          expand:
            'echo "ALTER TABLE users ADD COLUMN display_name text"; echo "ERROR:  relation \\"users\\" does not exist" >&2; exit 3',
        }),
      },
    );

    const outcome = await h.drive(rollout.id);

    const reason = 'expand failed (exited with 3: ERROR:  relation "users" does not exist): no traffic moved';
    assert.deepEqual(outcome, { status: 'aborted', reason });
    assert.deepEqual(await h.weights(), { [S]: 100 });
    assert.deepEqual(await h.desired(), { [S]: INSTANCES });
    assert.ok(h.events.every((e) => e.type !== 'rollout.step' || e.action === 'expand'));
    const expand = (await records(rollout.id)).expand;
    assert.equal(expand?.status, 'failed');
    assert.match(expand?.output ?? '', /ADD COLUMN display_name[\s\S]*does not exist/);
    assert.deepEqual(await h.storedEvents(rollout.id), ['migration.failed', 'rollout.aborted']);
  });

  test('a failed contract leaves the new revision serving and says how to retry it', async () => {
    const marker = join(dir, 'retried');
    const rollout = await h.begin(
      [
        step('expand', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: 0 }),
        step('scaleUp', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: INSTANCES }),
        step('promote', { [N]: 100 }, { [S]: INSTANCES, [N]: INSTANCES }),
        step('scaleDown', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
        step('contract', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
      ],
      {
        strategy: 'blueGreen',
        workdir: dir,
        migrations: migrations({
          expand: 'echo expanded',
          // Fails in the rollout, passes when the retry command runs it again.
          contract: `if [ -n "$RETRY" ]; then echo "$SLIPWAY_MIGRATION $SLIPWAY_SERVICE $SLIPWAY_ENV $SLIPWAY_REVISION" > ${marker}; else echo 'ERROR: lock timeout' >&2; exit 1; fi`,
        }),
      },
    );

    const outcome = await h.drive(rollout.id);

    assert.equal(outcome.status, 'completed');
    assert.ok(outcome.status === 'completed' && outcome.warning);
    assert.match(
      outcome.warning,
      /^contract failed \(exited with 1: ERROR: lock timeout\); the new revision serves/,
    );
    assert.deepEqual(await h.weights(), { [N]: 100 });
    assert.deepEqual(await h.desired(), { [N]: INSTANCES });
    const stored = await h.store.getRollout(rollout.id);
    assert.equal(stored?.phase, 'completed');
    assert.equal(stored?.reason, outcome.warning);
    const finished = h.events.find((e) => e.type === 'rollout.finished');
    assert.ok(finished?.type === 'rollout.finished' && finished.warning === outcome.warning);
    assert.deepEqual(
      (await h.storedEvents(rollout.id)).filter(
        (t) => t.startsWith('migration.') || t.startsWith('service.'),
      ),
      ['migration.expanded', 'migration.failed', 'service.upgraded'],
    );
    const contract = (await records(rollout.id)).contract;
    assert.equal(contract?.status, 'failed');
    const retry = contract?.retry ?? '';
    assert.ok(outcome.warning.endsWith(retry));
    await run('/bin/sh', ['-c', retry], { env: { ...process.env, RETRY: '1' } });
    assert.equal((await readFile(marker, 'utf8')).trim(), `contract web prod ${N}`);
  });

  test('contract runs only after the contractAfter hold, with the old revision gone', async () => {
    const log = join(dir, 'log');
    const rollout = await h.begin(
      [
        step('expand', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: 0 }),
        step('scaleUp', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: INSTANCES }),
        step('promote', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
        step('pause', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }, { durationMs: 60_000, analyze: true }),
        step('contract', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
      ],
      {
        strategy: 'rolling',
        workdir: dir,
        migrations: migrations({ expand: `echo expand >> ${log}`, contract: `echo contract >> ${log}` }),
      },
    );
    h.feed(() => ({ requests: 10, errors: 0 }), 70_000);

    const outcome = await h.drive(rollout.id);

    assert.deepEqual(outcome, { status: 'completed' });
    assert.equal(await readFile(log, 'utf8'), 'expand\ncontract\n');
    const { expand, contract } = await records(rollout.id);
    assert.equal(expand?.status, 'succeeded');
    assert.equal(contract?.status, 'succeeded');
    assert.ok((contract?.startedAt ?? 0) - h.startedAt >= 60_000, 'contract waited for contractAfter');
    assert.ok(h.events.some((e) => e.type === 'analysis.measurement' && e.verdict === 'success'));
  });

  test('an analysis failure during the contractAfter hold rolls back and contract never runs', async () => {
    const log = join(dir, 'log');
    const rollout = await h.begin(
      [
        step('expand', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: 0 }),
        step('promote', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
        step('pause', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }, { durationMs: 60_000, analyze: true }),
        step('contract', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
      ],
      {
        strategy: 'rolling',
        workdir: dir,
        migrations: migrations({ expand: `echo expand >> ${log}`, contract: `echo contract >> ${log}` }),
      },
    );
    h.feed((t) => ({ requests: 10, errors: t > 5_000 ? 5 : 0 }), 70_000);

    const outcome = await h.drive(rollout.id);

    assert.equal(outcome.status, 'rolled_back');
    assert.deepEqual(await h.weights(), { [S]: 100 });
    assert.equal(await readFile(log, 'utf8'), 'expand\n');
    assert.equal((await records(rollout.id)).contract, undefined);
  });
});
