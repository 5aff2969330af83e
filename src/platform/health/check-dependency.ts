/**
 * Checks that one of a service's dependencies (PostgreSQL, Redis, RabbitMQ, an HTTP endpoint) is
 * reachable and accepts the service's credentials, as the agent reports in `slipway health`.
 */
import type { ResolvedDependency } from '../../config/resolved.js';
import { type CheckOutcome, elapsedSince } from './check-outcome.js';
import { expandVars, maskUrl } from './dependency-url.js';
import { checkHttp } from './http-check.js';
import { checkPostgres } from './postgres-check.js';
import { checkRabbitmq } from './rabbitmq-check.js';
import { checkRedis } from './redis-check.js';
import { describeSocketError } from './socket-error.js';

/** One dependency's health; `target` is the URL with any password masked. */
export interface DependencyResult {
  readonly name: string;
  readonly kind: ResolvedDependency['kind'];
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly message: string;
  readonly target: string;
}

type Check = (url: URL, timeoutMs: number) => Promise<CheckOutcome>;

const CHECKS: Readonly<Record<ResolvedDependency['kind'], Check>> = {
  postgres: checkPostgres,
  redis: checkRedis,
  rabbitmq: checkRabbitmq,
  http: checkHttp,
};

/**
 * Expands `${VAR}` in the dependency's URL from `env`, then runs the check for its kind within
 * `dep.timeoutMs`. Never throws: an unset variable, a bad URL or an unreachable peer is a result
 * with `ok: false`.
 */
export async function checkDependency(
  dep: ResolvedDependency,
  env: Readonly<Record<string, string | undefined>>,
): Promise<DependencyResult> {
  const base = { name: dep.name, kind: dep.kind };
  const expanded = expandVars(dep.url, env);
  if (!expanded.ok) {
    const { missing } = expanded;
    const message = `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`;
    return { ...base, ok: false, latencyMs: 0, message, target: maskUrl(dep.url) };
  }
  const target = maskUrl(expanded.url);
  let url: URL;
  try {
    url = new URL(expanded.url);
  } catch {
    return { ...base, ok: false, latencyMs: 0, message: `invalid URL: ${target}`, target };
  }
  const check = CHECKS[dep.kind];
  if (!check)
    return { ...base, ok: false, latencyMs: 0, message: `unknown dependency kind ${dep.kind}`, target };
  const startedAt = performance.now();
  let outcome: CheckOutcome;
  try {
    outcome = await check(url, Math.max(1, dep.timeoutMs));
  } catch (error) {
    outcome = { ok: false, message: describeSocketError(error) };
  }
  return { ...base, ok: outcome.ok, latencyMs: elapsedSince(startedAt), message: outcome.message, target };
}
