/**
 * Durations and percentages as users write them in slipway.yaml, parsed once, here.
 * `500ms`, `30s`, `10m`, `1h`, `1h30m` become milliseconds; `5` or `5%` become 5.
 */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_RE = /^(?:(\d+(?:\.\d+)?)(ms|s|m|h|d))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Parses a duration such as `1h30m` into milliseconds; returns undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION_RE.test(trimmed)) return undefined;
  let total = 0;
  const seen = new Set<string>();
  for (const match of trimmed.matchAll(PART_RE)) {
    const unit = match[2] as keyof typeof UNIT_MS;
    if (seen.has(unit)) return undefined;
    seen.add(unit);
    total += Number(match[1]) * UNIT_MS[unit];
  }
  return Math.round(total);
}

/** Formats milliseconds back into the shortest duration text (`90000` -> `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [
    ['h', UNIT_MS.h],
    ['m', UNIT_MS.m],
    ['s', UNIT_MS.s],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}

/** Parses a percentage written `5`, `5%` or `0.5%` into a number in [0, 100]; undefined when malformed. */
export function parsePercent(value: string | number): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : /^\s*\d+(?:\.\d+)?\s*%?\s*$/.test(value)
        ? Number.parseFloat(value)
        : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 100) return undefined;
  return n;
}
