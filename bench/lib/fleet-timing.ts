// Where a fleet deploy's time went, from the `fleet.*` events it stored and the reports
// `slipway deploy --json` printed with their times.
//
// deploy_s is the fleet deploy's time from fleet.started to fleet.completed less what it spent
// waiting for a wave's offset (from a wave's fleetwave.completed to the next fleetwave.started) and
// less each analysed hold of the canary: the sum over the waves of (completed - started) minus the
// holds, plus whatever the deploy did before its first wave and after its last. A hold is read off the analysis.measurement reports of the wave's rollout, step
// by step: it begins one analysis interval before its first measurement and ends with its last one
// (a hold ends on a measurement). A hold that ran past its duration, waiting for a passing
// measurement, is thus taken out as it ran; the configured durations are reported beside it.
import type { StoredEvent } from '../../src/store/store.js';
import type { TimedLine } from './fleet-project.js';

/** One wave of a deploy. */
export interface WaveTiming {
  readonly region: string;
  readonly rollout: number | undefined;
  /** fleetwave.completed - fleetwave.started. */
  readonly ms: number;
  /** The analysed holds of the wave's rollout, as measured. */
  readonly holdMs: number;
  readonly holds: number;
}

/** One fleet deploy. */
export interface DeployTiming {
  readonly fleet: string;
  readonly waves: readonly WaveTiming[];
  /** From fleet.started to fleet.completed without offsets and holds. */
  readonly ms: number;
  /** Time spent waiting for waves' offsets. */
  readonly offsetsMs: number;
  /** From fleet.started to fleet.completed, offsets and holds included. */
  readonly wallMs: number;
}

interface Measurement {
  readonly rollout: number;
  readonly step: number;
  readonly at: number;
}

/** The timing of the fleet deploy whose events follow `since` (an event id), with its reports. */
export function deployTiming(
  events: readonly StoredEvent[],
  since: number,
  reports: readonly TimedLine[],
  intervalMs: number,
): DeployTiming {
  const mine = events.filter((e) => e.id > since && e.type.startsWith('fleet'));
  const started = mine.find((e) => e.type === 'fleet.started');
  const finished = mine.find((e) => e.type === 'fleet.completed' || e.type === 'fleet.failed');
  if (!started || !finished) throw new Error('the deploy left no fleet.started and fleet.completed events');
  if (finished.type === 'fleet.failed')
    throw new Error(`the fleet deploy failed: ${dataOf(finished).reason}`);
  const fleet = String(dataOf(started).fleet);
  const measurements = reports.flatMap((line): Measurement[] => {
    const parsed = parseJson(line.text);
    if (parsed?.type !== 'analysis.measurement') return [];
    const at = typeof parsed.time === 'string' ? Date.parse(parsed.time) : line.at;
    return [{ rollout: Number(parsed.rollout), step: Number(parsed.step), at }];
  });
  const waves = mine
    .filter((e) => e.type === 'fleetwave.completed')
    .map((done): WaveTiming => {
      const { region, rollout } = dataOf(done);
      const begun = mine.find((e) => e.type === 'fleetwave.started' && dataOf(e).region === region);
      if (!begun) throw new Error(`no fleetwave.started for ${String(region)}`);
      const id = typeof rollout === 'number' ? rollout : undefined;
      const holds = holdsOf(
        measurements.filter((m) => m.rollout === id),
        intervalMs,
      );
      return {
        region: String(region),
        rollout: id,
        ms: done.time - begun.time,
        holdMs: holds.reduce((sum, ms) => sum + ms, 0),
        holds: holds.length,
      };
    });
  const waveEvents = mine.filter((e) => e.type === 'fleetwave.started' || e.type === 'fleetwave.completed');
  let offsetsMs = 0;
  for (const [i, e] of waveEvents.entries()) {
    const before = waveEvents[i - 1];
    if (e.type === 'fleetwave.started' && before?.type === 'fleetwave.completed')
      offsetsMs += e.time - before.time;
  }
  const wallMs = finished.time - started.time;
  return {
    fleet,
    waves,
    ms: wallMs - offsetsMs - waves.reduce((sum, w) => sum + w.holdMs, 0),
    wallMs,
    offsetsMs,
  };
}

/** Each step's hold: one interval before its first measurement to its last. */
function holdsOf(measurements: readonly Measurement[], intervalMs: number): number[] {
  const steps = new Map<number, Measurement[]>();
  for (const m of measurements) steps.set(m.step, [...(steps.get(m.step) ?? []), m]);
  return [...steps.values()].map((ms) => {
    const first = Math.min(...ms.map((m) => m.at));
    const last = Math.max(...ms.map((m) => m.at));
    return last - (first - intervalMs);
  });
}

function dataOf(event: StoredEvent): Record<string, unknown> {
  return (event.data ?? {}) as Record<string, unknown>;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One wave's time line, for the profile on stderr: `+ms what` from its fleetwave.started, through
 * each step the rollout reported (action, weights), to fleetwave.completed.
 */
export function waveProfile(
  events: readonly StoredEvent[],
  reports: readonly TimedLine[],
  region: string,
): string {
  const begun = events.find((e) => e.type === 'fleetwave.started' && dataOf(e).region === region);
  const done = events.find((e) => e.type === 'fleetwave.completed' && dataOf(e).region === region);
  if (!begun || !done) return `${region}: no wave`;
  const rollout = dataOf(done).rollout;
  const marks: string[] = [];
  for (const line of reports) {
    const parsed = parseJson(line.text);
    if (parsed === undefined || parsed.rollout !== rollout || typeof parsed.time !== 'string') continue;
    const at = Date.parse(parsed.time) - begun.time;
    if (parsed.type === 'rollout.step') {
      const weights = Object.values((parsed.weights ?? {}) as Record<string, number>).join('/');
      marks.push(`+${at} ${String(parsed.action)}${weights === '' ? '' : ` ${weights}`}`);
    } else if (parsed.type === 'rollout.finished') marks.push(`+${at} finished`);
  }
  marks.push(`+${done.time - begun.time} wave completed`);
  return `${region}: ${marks.join(', ')}`;
}
