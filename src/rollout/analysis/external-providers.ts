/**
 * Measurements from outside the router: a Prometheus instant query over its HTTP API, a JSON
 * value from an HTTP endpoint, or a command's exit code. Failures to fetch are `error`
 * measurements (counted against consecutiveErrorLimit), never exceptions.
 */
import { spawn } from 'node:child_process';
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
        const { code, output } = await run(provider.command, vars);
        if (code === 0)
          return {
            metric: check.name,
            verdict: 'success',
            value: 0,
            message: `${check.name}: command passed`,
          };
        return {
          metric: check.name,
          verdict: 'failure',
          value: code ?? -1,
          message: `${check.name}: command exited with ${code ?? 'a signal'}${output ? `: ${output}` : ''}`,
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

function run(
  command: string,
  vars: Readonly<Record<string, string>>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [`SLIPWAY_${k.toUpperCase()}`, v])),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {}
      reject(new Error(`command timed out after ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.trim().split('\n').pop() ?? '' });
    });
  });
}
