// Finding secret occurrences as character ranges and replacing the covered text, shared by both maskers.

/** Text that replaces a secret. */
export const MASK = '***';

/** Half-open range [start, end) of characters to hide. */
export interface MaskRange {
  readonly start: number;
  readonly end: number;
}

/** Every occurrence of every pattern in `text`, overlapping ones included, sorted by start. */
export function findOccurrences(text: string, patterns: readonly string[]): MaskRange[] {
  const found: MaskRange[] = [];
  for (const pattern of patterns) {
    for (let at = text.indexOf(pattern); at !== -1; at = text.indexOf(pattern, at + 1)) {
      found.push({ start: at, end: at + pattern.length });
    }
  }
  return found.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** Unites overlapping or touching ranges (sorted by start), so overlapping secrets leave no piece visible. */
export function mergeRanges(sorted: readonly MaskRange[]): MaskRange[] {
  const merged: { start: number; end: number }[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ start: range.start, end: range.end });
  }
  return merged;
}

/** `text` with each merged range replaced by MASK; ranges must be merged and sorted. */
export function replaceRanges(text: string, merged: readonly MaskRange[]): string {
  if (merged.length === 0) return text;
  let out = '';
  let at = 0;
  for (const range of merged) {
    out += text.slice(at, range.start) + MASK;
    at = range.end;
  }
  return out + text.slice(at);
}
