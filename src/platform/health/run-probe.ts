/** Runs one readiness or liveness check (HTTP, TCP or a command) against a service instance. */
import net from 'node:net';
import type { ResolvedProbeCheck } from '../../config/resolved.js';
import { type CheckOutcome, elapsedSince, withDeadline } from './check-outcome.js';
import { runExecProbe } from './exec-probe.js';
import { httpGet } from './http-get.js';

/** One probe's outcome: `message` reads like `HTTP 503`, `connection refused`, `exit 1: <stderr>`. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly message: string;
}

/** Where a probe runs: the instance's address, and for commands its folder and environment. */
export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Runs `check` against `target` within `timeoutMs` with Kubernetes semantics: HTTP passes on
 * 200-399, TCP when a connection opens, a command on exit 0. Never throws; a failure or timeout
 * is a result with `ok: false`.
 */
export async function runProbe(
  check: ResolvedProbeCheck,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<ProbeResult> {
  const startedAt = performance.now();
  const outcome = await runCheck(check, target, timeoutMs);
  return { ok: outcome.ok, latencyMs: elapsedSince(startedAt), message: outcome.message };
}

function runCheck(check: ResolvedProbeCheck, target: ProbeTarget, timeoutMs: number): Promise<CheckOutcome> {
  switch (check.kind) {
    case 'http':
      return httpProbe(check.path, target, timeoutMs);
    case 'tcp':
      return tcpProbe(target, timeoutMs);
    case 'exec':
      return runExecProbe(check.command, target, timeoutMs);
  }
}

function httpProbe(path: string, target: ProbeTarget, timeoutMs: number): Promise<CheckOutcome> {
  const host = net.isIPv6(target.host) ? `[${target.host}]` : target.host;
  // Concatenated rather than resolved against a base, so a path like `//x` stays a path.
  const href = `http://${host}:${target.port}${path.startsWith('/') ? '' : '/'}${path}`;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return Promise.resolve({ ok: false, message: `invalid probe URL ${href}` });
  }
  return httpGet(url, timeoutMs);
}

function tcpProbe(target: ProbeTarget, timeoutMs: number): Promise<CheckOutcome> {
  return withDeadline(
    timeoutMs,
    (signal) =>
      new Promise<CheckOutcome>((resolve, reject) => {
        const socket = net.connect({ host: target.host, port: target.port });
        signal.addEventListener('abort', () => socket.destroy(), { once: true });
        socket.once('connect', () => {
          socket.destroy();
          resolve({ ok: true, message: `connected to port ${target.port}` });
        });
        socket.once('error', reject);
      }),
  );
}
