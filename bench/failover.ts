// Automatic failover under continuous load on real network hosts: 3 regions x 2 namespace hosts
// behind Slipway's router, the failover loop with a 5 s switchover, both links of one region cut,
// then healed. Prints one JSON line: switch_ms (cut -> the edge sends the region nothing, read off
// its status polled every 50 ms), restore_ms (links up -> the region back at its full share),
// requests, failed, and failed_after_switch (failures among requests sent after the switch).
// Needs root, sshd, ssh and iproute2. Run with `node --import tsx bench/failover.ts`.
import { setTimeout as sleep } from 'node:timers/promises';
import { failoverPolicy } from '../src/rollout/fleet/failover-policy.js';
import { type FailoverFleet, isOut, startFailoverFleet } from '../test/helpers/failover-fleet.js';
import { namespaceHostsSkip } from '../test/helpers/namespace-hosts.js';
import {
  type LoadRecord,
  type RegionLoad,
  startedBetween,
  startRegionLoad,
} from '../test/helpers/region-load.js';

const REGIONS = [
  { name: 'us', share: 0.4 },
  { name: 'eu', share: 0.3 },
  { name: 'ap', share: 0.3 },
];
const CUT = 'eu';
const CUT_SHARE = 30;
// The switchover of the config, its derived interval and window untouched; only the hold and the
// restore steps are shortened (60 s and 15 s by default) so that the run fits in two minutes.
const POLICY = failoverPolicy(
  { strategy: 'automatic', healthThreshold: 0.95, switchoverMs: 5000 },
  { holdMs: 5000, restoreStepMs: 2000 },
);
const UPSTREAM_TIMEOUT_MS = 2000;
const STEADY_MS = 3000;
const AFTER_SWITCH_MS = 3000;
const AFTER_RESTORE_MS = 2000;
const MAX_MS = 110_000;
const TARGET_SWITCH_MS = 5000;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function run(fleet: FailoverFleet, load: RegionLoad): Promise<Record<string, unknown>> {
  await sleep(STEADY_MS);
  const cutAt = fleet.cut(CUT);
  const out = await fleet.waitFor((s) => isOut(s, CUT), cutAt, POLICY.switchoverMs * 3);
  if (!out) throw new Error(`${CUT} still takes traffic ${Date.now() - cutAt} ms after the cut`);
  const switchMs = out.at - cutAt;
  log(`cut ${CUT}: out of the traffic after ${switchMs} ms`);
  await sleep(AFTER_SWITCH_MS);

  const healAt = fleet.heal(CUT);
  const restoreBudget = POLICY.holdMs + 4 * POLICY.restoreStepMs + 3 * POLICY.intervalMs + 10_000;
  const back = await fleet.waitFor(
    (s) => s.regions[CUT]?.weight === CUT_SHARE && s.regions[CUT]?.state === 'ready',
    healAt,
    restoreBudget,
  );
  if (!back)
    throw new Error(`${CUT} not back at its share ${Date.now() - healAt} ms after the links came up`);
  const restoreMs = back.at - healAt;
  log(`healed ${CUT}: back at its share after ${restoreMs} ms`);
  await sleep(AFTER_RESTORE_MS);
  const records = await load.stop();

  const failed = records.filter((r) => !r.ok);
  const afterSwitch = startedBetween(records, out.at, Number.POSITIVE_INFINITY);
  const inSwitch = startedBetween(records, cutAt, out.at);
  const toCutInSwitch = inSwitch.filter((r) => r.region === CUT).length;
  const lateToCut = startedBetween(records, out.at, healAt).filter((r) => r.region === CUT).length;
  const failedOver = fleet.events.find((e) => e.kind === 'failed_over' && e.region === CUT);
  log(
    `loop: ${fleet.events.map((e) => `${e.kind}${'region' in e ? ` ${e.region}` : ''}`).join(', ')}; ` +
      `measured switch ${failedOver && 'switchMs' in failedOver ? failedOver.switchMs : '?'} ms; ` +
      `${fleet.problems.length} problems`,
  );
  log(
    `switch window: ${inSwitch.length} requests, ${toCutInSwitch} to ${CUT}, ${failed.length} failed overall; ` +
      `${lateToCut} sent to ${CUT} after the switch`,
  );
  if (failed.length > 0) log(`first failures: ${firstErrors(failed)}`);
  const met =
    switchMs <= TARGET_SWITCH_MS &&
    afterSwitch.every((r) => r.ok) &&
    failed.length <= toCutInSwitch &&
    lateToCut === 0;
  log(`targets ${met ? 'met' : 'missed'}`);
  if (!met) process.exitCode = 1;
  return {
    bench: 'failover',
    switch_ms: switchMs,
    restore_ms: restoreMs,
    requests: records.length,
    failed: failed.length,
    failed_after_switch: afterSwitch.filter((r) => !r.ok).length,
  };
}

function firstErrors(failed: readonly LoadRecord[]): string {
  return failed
    .slice(0, 5)
    .map((r) => `${r.error} (${r.region ?? 'no region'})`)
    .join('; ');
}

async function main(): Promise<void> {
  const skip = namespaceHostsSkip();
  if (skip) throw new Error(`cannot run: ${skip}`);
  let fleet: FailoverFleet | undefined;
  let load: RegionLoad | undefined;
  const stopAll = async (): Promise<void> => {
    await load?.stop();
    await fleet?.close();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: cleaning up`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const guard = setTimeout(() => {
    log(`over ${MAX_MS / 1000} s: giving up`);
    void stopAll().finally(() => process.exit(1));
  }, MAX_MS);
  try {
    fleet = await startFailoverFleet({
      regions: REGIONS,
      hostsPerRegion: 2,
      policy: POLICY,
      upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
      probeTimeoutMs: 300,
    });
    load = startRegionLoad(fleet.url, {
      clients: 8,
      pauseMs: 2,
      maxRequests: 2_000_000,
      maxMs: MAX_MS,
      requestTimeoutMs: 10_000,
    });
    const result = await run(fleet, load);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    clearTimeout(guard);
    await stopAll();
  }
}

main().catch((error: unknown) => {
  log(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
  process.exitCode = 1;
});
