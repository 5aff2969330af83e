/**
 * Measurements from outside the router: a Prometheus instant query over its HTTP API, a JSON
 * value from an HTTP endpoint, or a command's exit code. Failures to fetch are `error`
 * measurements (counted against consecutiveErrorLimit), never exceptions.
 */

import { runShell } from '../run-shell.js';
import type { Measurement, MetricCheck } from './analysis-types.js';
import { compare } from './measure-router.js';

/** How long one external measurement may take. */
const TIMEOUT_MS = 5000;

/** Measures a metric whose provider is not the router. */
export async function measureExternal(
  check: MetricCheck,
  vars: Readonly<Record<string, string>>,
): Promise<Measurement> {
  const provider = check.provider;
  try {
    switch (provider.kind) {
      case 'prometheus': {
        const query = substitute(provider.query, vars);
        const url = `${provider.address.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
        const body = (await fetchJson(url)) as {
          status?: string;
          error?: string;
          data?: { resultType?: string; result?: unknown };
        };
        if (body.status !== 'success') return error(check, `Prometheus: ${body.error ?? 'query failed'}`);
        const value = prometheusValue(body.data?.resultType, body.data?.result);
        if (value === undefined)
          return {
            metric: check.name,
            verdict: 'inconclusive',
            message: `Prometheus query returned no data: ${query}`,
          };
        return compare(check, value, undefined);
      }
      case 'http': {
        const body = await fetchJson(substitute(provider.url, vars));
        const raw = provider.path ? dig(body, provider.path) : body;
        const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
        if (!Number.isFinite(value))
          return error(check, `no number at ${provider.path ?? 'the top level'} of the response`);
        return compare(check, value, undefined);
      }
      case 'command': {
        const result = await runShell(provider.command, {
          env: {
            ...process.env,
            ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [`SLIPWAY_${k.toUpperCase()}`, v])),
          },
          timeoutMs: TIMEOUT_MS,
        });
        if (result.status === 'failed-to-start') return error(check, result.message);
        if (result.status === 'timeout') return error(check, `command timed out after ${TIMEOUT_MS} ms`);
        if (result.status === 'exited' && result.code === 0) {
          return {
            metric: check.name,
            verdict: 'success',
            value: 0,
            message: `${check.name}: command passed`,
          };
        }
        return {
          metric: check.name,
          verdict: 'failure',
          value: result.status === 'exited' ? result.code : -1,
          message: `${check.name}: command exited with ${result.status === 'exited' ? result.code : 'a signal'}${result.lastLine ? `: ${result.lastLine}` : ''}`,
        };
      }
      default:
        return error(check, 'the router provider is measured elsewhere');
    }
  } catch (cause) {
    return error(check, (cause as Error).message);
  }
}

function error(check: MetricCheck, message: string): Measurement {
  return { metric: check.name, verdict: 'error', message: `${check.name}: ${message}` };
}

/** The first sample of a vector, or a scalar. */
function prometheusValue(type: string | undefined, result: unknown): number | undefined {
  if (type === 'scalar' && Array.isArray(result)) return Number(result[1]);
  if (type === 'vector' && Array.isArray(result) && result.length > 0) {
    const sample = (result[0] as { value?: [number, string] }).value;
    const value = sample ? Number(sample[1]) : Number.NaN;
    return Number.isFinite(value) ? value : undefined;
  }
  return undefined;
}

/** `${{ revision }}`-style placeholders: `{{name}}` replaced from vars. */
function substitute(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => vars[name] ?? whole);
}

function dig(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = await res.text();
  if (!res.ok && !text.startsWith('{')) throw new Error(`HTTP ${res.status} from ${url}`);
  return JSON.parse(text);
}
