// The flag rollout use case with a command as the flag service: a deploy leaves a rollout that
// completed with the same variant alone, `slipway flags rollout` (again) runs it anew.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createMemoryPlatform } from '../../../test/helpers/memory-platform.js';
import { loadConfigText } from '../../config/load-config.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { systemClock } from '../rollout-clock.js';
import { findFlagRollout, rolloutFlag } from './flag-rollout-service.js';

test('a completed rollout through an outside service is not run again by a deploy, only when asked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flag-rollout-service-'));
  const clock = systemClock();
  const store = await openSqliteStore({ file: join(dir, 'state.db'), clock });
  try {
    writeFileSync(join(dir, 'share.sh'), '#!/bin/sh\necho "$3" >> shares.log\n');
    chmodSync(join(dir, 'share.sh'), 0o755);
    const { config, diagnostics } = loadConfigText(`services:
  web: { run: node server.mjs }
environments:
  prod:
    strategy:
      featureFlag:
        provider: custom
        flag: checkout
        variant: one-page
        baseline: classic
        stages: [{ traffic: 25, duration: 10ms }]
        metrics: []
        custom: { command: ./share.sh }
`);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(findFlagRollout(config!, 'checkout'), { service: 'web', env: 'prod' });
    const deps = {
      store,
      platform: createMemoryPlatform({ clock }),
      clock,
      owner: 't',
      env: {},
      report() {},
    };
    const reported: string[] = [];
    const run = (again: boolean) =>
      rolloutFlag(deps, {
        config: config!,
        projectDir: dir,
        service: 'web',
        env: 'prod',
        actor: 'tester',
        secret: () => undefined,
        report: (e) => {
          if (e.type === 'flagrollout.finished') reported.push(e.reason ?? e.status);
        },
        again,
      });
    const shares = () => readFileSync(join(dir, 'shares.log'), 'utf8').trim().split('\n');
    assert.deepEqual(await run(false), { status: 'completed' });
    assert.deepEqual(shares(), ['25', '100']);
    assert.deepEqual(await run(false), { status: 'completed' });
    assert.deepEqual(shares(), ['25', '100'], 'a deploy does not roll it out again');
    assert.match(reported[1] ?? '', /completed with one-page: nothing to roll out/);
    assert.deepEqual(await run(true), { status: 'completed' });
    assert.deepEqual(shares(), ['25', '100', '25', '100']);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
