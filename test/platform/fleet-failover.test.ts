/**
 * Automatic failover end to end on real network hosts: three regions of two namespace hosts behind
 * Slipway's router as the edge, the failover loop on the wall clock, and steady client load. Cutting
 * both links of one region must take it out of the traffic within the switchover time plus one
 * interval, hand its share to the others in proportion, and fail no request sent after the switch;
 * healing the links must bring its share back in steps once the hold has passed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { failoverPolicy } from '../../src/rollout/fleet/failover-policy.js';
import { type FailoverFleet, isOut, startFailoverFleet, weightsOf } from '../helpers/failover-fleet.js';
import { namespaceHostsSkip } from '../helpers/namespace-hosts.js';
import { type RegionLoad, startedBetween, startRegionLoad } from '../helpers/region-load.js';

const REGIONS = [
  { name: 'us', share: 0.4 },
  { name: 'eu', share: 0.3 },
  { name: 'ap', share: 0.3 },
];
const CUT = 'eu';
const POLICY = failoverPolicy(
  { strategy: 'automatic', healthThreshold: 0.95, switchoverMs: 3000 },
  { intervalMs: 250, windowMs: 1000, holdMs: 2000, restoreStepMs: 1000 },
);
const UPSTREAM_TIMEOUT_MS = 1000;
/** How long a readiness probe waits for a connection. */
const PROBE_TIMEOUT_MS = 200;
/** The watcher's poll period: a poll may see a change this much after it happened. */
const POLL_MS = 50;

describe('fleet failover on namespace hosts', { skip: namespaceHostsSkip() }, () => {
  test('a cut region leaves the traffic within the switchover time and comes back in steps', {
    timeout: 90_000,
  }, async () => {
    let fleet: FailoverFleet | undefined;
    let load: RegionLoad | undefined;
    try {
      fleet = await startFailoverFleet({
        regions: REGIONS,
        hostsPerRegion: 2,
        policy: POLICY,
        upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
        probeTimeoutMs: PROBE_TIMEOUT_MS,
      });
      load = startRegionLoad(fleet.url, {
        clients: 4,
        pauseMs: 5,
        maxRequests: 100_000,
        maxMs: 60_000,
        requestTimeoutMs: 5000,
      });
      await sleep(1500);

      // Steady state: every host of every region answers, nothing fails.
      const steady = [...load.records];
      assert.ok(steady.length > 100, `only ${steady.length} requests in the steady phase`);
      assert.deepEqual(
        steady.filter((r) => !r.ok),
        [],
      );
      assert.deepEqual(new Set(steady.map((r) => r.region)), new Set(['us', 'eu', 'ap']));
      assert.equal(new Set(steady.map((r) => r.host)).size, 6);

      // Cut: both hosts of eu vanish from the network.
      const cutAt = fleet.cut(CUT);
      const deadline = cutAt + POLICY.switchoverMs + POLICY.intervalMs;
      const out = await fleet.waitFor((s) => isOut(s, CUT), cutAt, deadline - Date.now() + 2000);
      assert.ok(out, `${CUT} still takes traffic ${Date.now() - cutAt} ms after the cut`);
      assert.ok(
        out.at <= deadline + POLL_MS,
        `${CUT} left the traffic ${out.at - cutAt} ms after the cut, over ${deadline - cutAt} ms`,
      );
      // 40/30/30 without eu: 40:30 of the rest.
      assert.deepEqual(weightsOf(out), { us: 57, eu: 0, ap: 43 });
      assert.equal(out.regions[CUT]?.state, 'down');

      const failedOver = fleet.events.find((e) => e.kind === 'failed_over' && e.region === CUT);
      assert.ok(failedOver?.kind === 'failed_over', `no failed_over event: ${JSON.stringify(fleet.events)}`);
      assert.equal(failedOver.mode, 'automatic');
      assert.equal(failedOver.movedShare, 30);
      assert.deepEqual(failedOver.weights, { us: 57, eu: 0, ap: 43 });
      assert.ok(failedOver.since >= cutAt, 'the switch is measured from an observation after the cut');
      assert.ok(
        failedOver.switchMs >= POLICY.confirmMs && failedOver.switchMs <= POLICY.switchoverMs,
        `measured switch ${failedOver.switchMs} ms, expected ${POLICY.confirmMs}..${POLICY.switchoverMs}`,
      );
      assert.ok(failedOver.appliedAt <= deadline, `applied ${failedOver.appliedAt - cutAt} ms after the cut`);
      const switchAt = failedOver.appliedAt;

      // After the switch: requests still hanging on eu end (504) within the upstream timeout, then
      // eu's counters stand still while the others keep serving.
      await sleep(UPSTREAM_TIMEOUT_MS + 1500);
      const settled = fleet.samples.find((s) => s.at >= switchAt + UPSTREAM_TIMEOUT_MS + 300);
      const last = fleet.samples.at(-1);
      assert.ok(settled && last && last.at - settled.at >= 1000);
      assert.equal(
        last.regions[CUT]?.requests,
        settled.regions[CUT]?.requests,
        `${CUT} still counts requests`,
      );
      assert.ok((last.regions.us?.requests ?? 0) > (settled.regions.us?.requests ?? 0));
      assert.ok((last.regions.ap?.requests ?? 0) > (settled.regions.ap?.requests ?? 0));
      const afterSwitch = startedBetween(load.records, switchAt, last.at);
      assert.ok(afterSwitch.length > 200, `only ${afterSwitch.length} requests after the switch`);
      assert.deepEqual(
        afterSwitch.filter((r) => r.region === CUT),
        [],
        `requests sent after the switch reached ${CUT}`,
      );
      const usPart = afterSwitch.filter((r) => r.region === 'us').length / afterSwitch.length;
      assert.ok(Math.abs(usPart - 0.57) < 0.08, `us took ${usPart.toFixed(2)} of the traffic, expected 0.57`);

      // Before the switch only requests routed to eu may fail.
      const inSwitch = startedBetween(load.records, cutAt, switchAt);
      const failedInSwitch = inSwitch.filter((r) => !r.ok);
      const routedToCut = inSwitch.filter((r) => r.region === CUT);
      assert.ok(
        failedInSwitch.length <= routedToCut.length,
        `${failedInSwitch.length} failed in the switch window, ${routedToCut.length} went to ${CUT}`,
      );
      assert.deepEqual(
        failedInSwitch.filter((r) => r.region !== CUT),
        [],
      );

      // Restore: the links come back; after the hold eu's share returns step by step.
      const healAt = fleet.heal(CUT);
      const restoreBudget = POLICY.holdMs + 4 * POLICY.restoreStepMs + 3 * POLICY.intervalMs + 2000;
      const back = await fleet.waitFor(
        (s) => s.regions[CUT]?.weight === 30 && s.regions[CUT]?.state === 'ready',
        healAt,
        restoreBudget,
      );
      assert.ok(back, `${CUT} not back at its share ${Date.now() - healAt} ms after the links came up`);
      assert.deepEqual(weightsOf(back), { us: 40, eu: 30, ap: 30 });
      assert.ok(back.at - healAt >= POLICY.holdMs, `${CUT} came back before the hold was over`);
      const steps = fleet.samples
        .filter((s) => s.at >= healAt && s.at <= back.at)
        .map((s) => s.regions[CUT]?.weight ?? -1)
        .filter((weight, i, all) => i === 0 || weight !== all[i - 1]);
      assert.deepEqual(
        steps,
        [...steps].sort((a, b) => a - b),
        `eu's weight went ${steps.join(' -> ')}`,
      );
      assert.equal(steps[0], 0);
      assert.ok(
        steps.filter((weight) => weight > 0 && weight < 30).length >= 2,
        `eu's weight went ${steps.join(' -> ')}, not in steps`,
      );
      const kinds = fleet.events.filter((e) => 'region' in e && e.region === CUT).map((e) => e.kind);
      assert.equal(kinds[0], 'failed_over');
      assert.equal(kinds[1], 'restore_started');
      assert.equal(kinds.at(-1), 'restored');
      const restored = fleet.events.find((e) => e.kind === 'restored' && e.region === CUT);
      assert.ok(restored?.kind === 'restored');
      assert.deepEqual(restored.weights, { us: 40, eu: 30, ap: 30 });
      assert.ok(
        // An observation is stamped when its round starts; its probes (up to the probe timeout) may
        // reach the hosts once the links are up, so it can be stamped that much before the heal.
        restored.since >= healAt - PROBE_TIMEOUT_MS,
        'the restore is measured from an observation after the links came up',
      );

      await sleep(1000);
      const records = await load.stop();
      load = undefined;
      assert.ok(
        startedBetween(records, back.at, Date.now()).some((r) => r.region === CUT && r.ok),
        `${CUT} serves again`,
      );
      // From the switch on, through the restore, nothing failed.
      assert.deepEqual(
        startedBetween(records, switchAt, Date.now()).filter((r) => !r.ok),
        [],
        `failed after the switch (switch ${switchAt}, heal ${healAt}, back ${back.at}, events ${JSON.stringify(
          fleet.events
            .filter((e) => 'region' in e && e.region === CUT)
            .map((e) => [e.kind, 'at' in e ? e.at : null]),
        )})`,
      );
      // Before the cut nothing failed, but for a request to the cut region still in flight at the cut.
      assert.deepEqual(
        startedBetween(records, 0, cutAt).filter((r) => !r.ok && !(r.region === CUT && r.end >= cutAt)),
        [],
      );
      assert.deepEqual(fleet.problems, []);
    } finally {
      await load?.stop();
      await fleet?.close();
    }
  });
});
