// Per flag variant counters: an application names the flag variants that served a request in the
// X-Slipway-Flag-Variants response header (`flag=variant, ...`, written by the OpenFeature hook in
// packages/openfeature-hook), and the router counts the exchange under each pair, at the moment
// and by the rules of the per-revision counters. Only exchanges that carry the header cost anything.
import type { RevisionMetrics } from '../platform/traffic-metrics.js';
import { recordLatency } from './histogram.js';
import { copyRevisionMetrics, createRevisionMetrics } from './metrics.js';

/** Most comma-separated entries read from one header; the rest are ignored. */
export const MAX_FLAG_VARIANT_PAIRS = 16;

/** Most distinct `flag=variant` pairs one router counts; pairs first seen past it are not counted. */
export const MAX_FLAG_VARIANT_SERIES = 256;

/** Longest `flag=variant` entry (before trimming) that is read. */
const MAX_PAIR_LENGTH = 256;

/** Visible ASCII but `,` and `=`: what a flag key or a variant may hold. */
function isPlainText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x21 || code > 0x7e || code === 0x2c || code === 0x3d) return false;
  }
  return true;
}

/** One entry as `flag=variant`, whitespace around either part dropped; undefined when malformed. */
function readPair(entry: string): string | undefined {
  const equals = entry.indexOf('=');
  if (equals === -1) return undefined;
  const flag = entry.slice(0, equals).trim();
  const variant = entry.slice(equals + 1).trim();
  if (flag === '' || variant === '' || !isPlainText(flag) || !isPlainText(variant)) return undefined;
  return `${flag}=${variant}`;
}

/**
 * The distinct `flag=variant` pairs of an X-Slipway-Flag-Variants value, in order. Reads at most
 * MAX_FLAG_VARIANT_PAIRS entries; an entry without `=`, with an empty side, a second `=`, or
 * characters other than visible ASCII (spaces and tabs around the parts aside) is skipped.
 */
export function parseFlagVariants(value: string): string[] {
  const pairs: string[] = [];
  let from = 0;
  for (let n = 0; n < MAX_FLAG_VARIANT_PAIRS && from <= value.length; n++) {
    let end = value.indexOf(',', from);
    if (end === -1) end = value.length;
    if (end - from <= MAX_PAIR_LENGTH) {
      const pair = readPair(value.slice(from, end));
      if (pair !== undefined && !pairs.includes(pair)) pairs.push(pair);
    }
    from = end + 1;
  }
  return pairs;
}

/** Cumulative counters per `flag=variant` pair, since the router started. */
export class VariantMetrics {
  readonly #byPair = new Map<string, RevisionMetrics>();
  // Responses of one service mostly repeat a handful of header values: the last parse is reused.
  #lastHeader = '';
  #lastPairs: readonly string[] = [];

  /**
   * Counts one finished exchange under each pair its header names: `status5xx` when a 5xx went to
   * the client, `connectionError` when the upstream failed after naming the variants, and
   * `latencyMs` when the response was sent in full (undefined otherwise).
   */
  record(header: string, status5xx: boolean, connectionError: boolean, latencyMs: number | undefined): void {
    if (header !== this.#lastHeader) {
      this.#lastPairs = parseFlagVariants(header);
      this.#lastHeader = header;
    }
    for (const pair of this.#lastPairs) {
      let metrics = this.#byPair.get(pair);
      if (metrics === undefined) {
        if (this.#byPair.size >= MAX_FLAG_VARIANT_SERIES) continue;
        metrics = createRevisionMetrics();
        this.#byPair.set(pair, metrics);
      }
      metrics.requests++;
      if (status5xx) metrics.status5xx++;
      if (connectionError) metrics.connectionErrors++;
      if (latencyMs !== undefined) recordLatency(metrics.latency, latencyMs);
    }
  }

  /** A copy of every pair's counters, or undefined while no response has named a variant. */
  snapshot(): Record<string, RevisionMetrics> | undefined {
    if (this.#byPair.size === 0) return undefined;
    return Object.fromEntries([...this.#byPair].map(([pair, m]) => [pair, copyRevisionMetrics(m)]));
  }
}
