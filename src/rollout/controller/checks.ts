/**
 * The checks a rollout runs around traffic: hooks (commands), smoke requests and cache warming
 * sent to the new revision through the router's revision header before it gets user traffic,
 * and synthetic journeys during traffic steps.
 */
import type {
  ResolvedHttpCheck as HttpCheck,
  ResolvedJourney as Journey,
  ResolvedSmokeCheck as SmokeCheck,
} from '../../config/resolved.js';
import type { Measurement } from '../analysis/analysis-types.js';
import { runShell } from '../run-shell.js';

/** The outcome of a check: passed, or why not. */
export type CheckResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** Where the checks send requests and what the commands see. */
export interface CheckTarget {
  /** The service's endpoint, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly revision: string;
  readonly env: Readonly<Record<string, string>>;
  readonly workdir: string;
}

/** Runs a hook command with the rollout's variables; non-zero exit or timeout fails. */
export async function runCommand(
  command: string,
  target: CheckTarget,
  timeoutMs: number,
): Promise<CheckResult> {
  const result = await runShell(command, {
    cwd: target.workdir,
    env: { ...process.env, ...target.env, SLIPWAY_URL: target.url, SLIPWAY_REVISION: target.revision },
    timeoutMs,
  });
  if (result.status === 'exited' && result.code === 0) return { ok: true };
  if (result.status === 'failed-to-start')
    return { ok: false, message: `\`${command}\` could not start: ${result.message}` };
  const how =
    result.status === 'timeout'
      ? `timed out after ${timeoutMs} ms`
      : result.status === 'killed'
        ? `was killed by ${result.signal}`
        : `exited with ${result.code}`;
  return { ok: false, message: `\`${command}\` ${how}${result.lastLine ? `: ${result.lastLine}` : ''}` };
}

/** Sends one request to the revision through the router and checks status and body. */
export async function httpCheck(
  check: HttpCheck,
  target: CheckTarget,
  timeoutMs = 5000,
): Promise<CheckResult> {
  const url = `${target.url}${check.path}`;
  try {
    const res = await fetch(url, {
      method: check.method ?? 'GET',
      headers: { 'x-slipway-revision': target.revision },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    const expected = check.expect && check.expect.length > 0 ? check.expect : undefined;
    const statusOk = expected ? expected.includes(res.status) : res.status >= 200 && res.status < 400;
    if (!statusOk) {
      return {
        ok: false,
        message: `${check.method ?? 'GET'} ${check.path} answered ${res.status}${expected ? ` (expected ${expected.join('|')})` : ''}`,
      };
    }
    if (check.body !== undefined && !new RegExp(check.body).test(body)) {
      return {
        ok: false,
        message: `${check.method ?? 'GET'} ${check.path}: body does not match /${check.body}/`,
      };
    }
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      message: `${check.method ?? 'GET'} ${check.path} failed: ${(error as Error).message}`,
    };
  }
}

/** Runs every smoke check in order; the first failure stops. */
export async function runSmoke(
  checks: readonly SmokeCheck[],
  target: CheckTarget,
  timeoutMs: number,
): Promise<CheckResult> {
  for (const check of checks) {
    const result =
      check.kind === 'http'
        ? await httpCheck(check, target)
        : await runCommand(check.command, target, timeoutMs);
    if (!result.ok) return { ok: false, message: `smoke check failed: ${result.message}` };
  }
  return { ok: true };
}

/** Requests every warmup path once per instance (the router spreads them over the instances). */
export async function runWarmup(
  paths: readonly string[],
  instances: number,
  target: CheckTarget,
): Promise<CheckResult> {
  for (const path of paths) {
    const results = await Promise.all(
      Array.from({ length: Math.max(1, instances) }, () => httpCheck({ path, method: 'GET' }, target)),
    );
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) return { ok: false, message: `warmup failed: ${failed.message}` };
  }
  return { ok: true };
}

/** Runs each journey once; each becomes a measurement named `synthetic:<name>`. */
export async function runJourneys(journeys: readonly Journey[], target: CheckTarget): Promise<Measurement[]> {
  const out: Measurement[] = [];
  for (const journey of journeys) {
    let failure: string | undefined;
    for (const step of journey.steps) {
      const result = await httpCheck(step, target);
      if (!result.ok) {
        failure = result.message;
        break;
      }
    }
    out.push({
      metric: `synthetic:${journey.name}`,
      verdict: failure ? 'failure' : 'success',
      message: failure ? `journey ${journey.name}: ${failure}` : `journey ${journey.name} passed`,
    });
  }
  return out;
}
