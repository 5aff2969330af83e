// `rollback --schema` on a fake clock with real shell commands: `down` runs after the code is back
// on the old revision, only for a deploy whose expand ran, and never once contract has run.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  type ControllerHarness,
  controllerHarness,
  INSTANCES,
  step,
} from '../../test/rollout/controller-harness.js';
import type { ResolvedMigrations } from '../config/resolved-migrations.js';
import { isSlipwayError } from '../errors/slipway-error.js';
import { migrationRecords } from './controller/migration-record.js';
import { rollbackWithSchema } from './schema-rollback.js';

describe('rollbackWithSchema', { timeout: 20_000 }, () => {
  let h: ControllerHarness;
  let S: string;
  let N: string;
  let dir: string;
  beforeEach(async () => {
    h = await controllerHarness();
    S = h.stable.id;
    N = h.next.id;
    dir = await mkdtemp(join(tmpdir(), 'slipway-schema-rollback-'));
  });
  afterEach(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  const deployed = async (migrations: ResolvedMigrations) => {
    const steps = [
      step('expand', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: 0 }),
      step('scaleUp', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: INSTANCES }),
      step('promote', { [N]: 100 }, { [S]: INSTANCES, [N]: INSTANCES }),
      step('scaleDown', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
      ...(migrations.contract ? [step('contract', { [N]: 100 }, { [S]: 0, [N]: INSTANCES })] : []),
    ];
    const rollout = await h.begin(steps, { strategy: 'blueGreen', workdir: dir, migrations });
    assert.equal((await h.drive(rollout.id)).status, 'completed');
    return rollout;
  };
  const input = () => ({ ref: h.ref, actor: 'tester', workdir: dir });

  test('runs down once the old revision serves again, and records it with the deploy it reverts', async () => {
    const log = join(dir, 'log');
    const rollout = await deployed({
      expand: `echo expand >> ${log}`,
      down: `echo "down $SLIPWAY_REVISION" >> ${log}`,
      contractAfterMs: 0,
      timeoutMs: 10_000,
    });

    const outcome = await h.run(rollbackWithSchema(h.deps(), input()));

    assert.equal(outcome.status, 'completed');
    assert.equal(outcome.revision, S);
    assert.equal(outcome.schema.status, 'reverted');
    assert.deepEqual(await h.weights(), { [S]: 100 });
    assert.equal(await readFile(log, 'utf8'), `expand\ndown ${N}\n`);
    const stored = await h.store.getRollout(rollout.id);
    assert.equal(migrationRecords(stored?.data ?? {}).down?.status, 'succeeded');
    assert.ok((await h.storedEvents(rollout.id)).includes('migration.reverted'));

    // Rolling back again finds nothing more to revert.
    const again = await h.run(rollbackWithSchema(h.deps(), { ...input(), to: N }));
    assert.equal(again.schema.status, 'unchanged');
  });

  test('refuses before anything moves once contract has run', async () => {
    await deployed({
      expand: 'true',
      contract: 'true',
      down: 'echo never > down-ran',
      contractAfterMs: 0,
      timeoutMs: 10_000,
    });

    await assert.rejects(
      h.run(rollbackWithSchema(h.deps(), input())),
      (e: unknown) =>
        isSlipwayError(e) && e.code === 'SCHEMA_CONTRACTED' && /contracted schema/.test(e.message),
    );
    assert.deepEqual(await h.weights(), { [N]: 100 });
    await assert.rejects(readFile(join(dir, 'down-ran'), 'utf8'));
  });

  test('refuses an expanded deploy without a down command', async () => {
    await deployed({ expand: 'true', contractAfterMs: 0, timeoutMs: 10_000 });
    await assert.rejects(
      h.run(rollbackWithSchema(h.deps(), input())),
      (e: unknown) => isSlipwayError(e) && e.code === 'NO_DOWN_MIGRATION',
    );
    assert.deepEqual(await h.weights(), { [N]: 100 });
  });
});
