// Hides secret values (and their base64 forms) in job logs, for whole texts and for streams of chunks.
import { base64Forms } from './base64-forms.js';
import { findOccurrences, MASK, type MaskRange, mergeRanges, replaceRanges } from './mask-ranges.js';

/** Values shorter than this are not masked: hiding every "a" or "on" would wreck logs and hide nothing. */
export const MIN_SECRET_LENGTH = 3;

/** Replaces known secrets in text by `***`. */
export interface Masker {
  /** `text` with every occurrence of every pattern replaced by `***`. */
  mask(text: string): string;
  /** Occurrences of the patterns in `text`, sorted by start (overlaps included). */
  findMatches(text: string): MaskRange[];
  /** Strings masked, longest first: the values, their lines, their base64 forms. */
  readonly patterns: readonly string[];
  /** Length of the longest pattern (0 when there is nothing to mask). */
  readonly longestPattern: number;
  /** True when a pattern contains `\n`, so a match can span lines. */
  readonly spansLines: boolean;
}

/** Builds a masker for `secrets`: each value, each line of a multi-line value, and their base64 forms. */
export function createMasker(secrets: readonly string[]): Masker {
  const unique = new Set<string>();
  for (const secret of secrets) {
    const values = /[\r\n]/.test(secret) ? [secret, ...secret.split(/\r?\n|\r/)] : [secret];
    for (const value of values) {
      if (value.length < MIN_SECRET_LENGTH) continue;
      for (const form of [value, ...base64Forms(value)]) {
        if (form.length >= MIN_SECRET_LENGTH) unique.add(form);
      }
    }
  }
  const patterns = [...unique].sort((a, b) => b.length - a.length);
  const findMatches = (text: string): MaskRange[] => findOccurrences(text, patterns);
  return {
    mask: (text) => (patterns.length === 0 ? text : replaceRanges(text, mergeRanges(findMatches(text)))),
    findMatches,
    patterns,
    longestPattern: patterns[0]?.length ?? 0,
    spansLines: patterns.some((pattern) => pattern.includes('\n')),
  };
}

/** Masks a stream of chunks; a secret split across chunks is still masked. */
export interface StreamMasker {
  /** Adds `chunk`; returns the masked text that is safe to emit now (possibly empty). */
  push(chunk: string): string;
  /** Returns the masked rest held back so far and resets. */
  flush(): string;
}

/**
 * Wraps `masker` for streams. It holds back the last (longest pattern - 1) characters, which may begin a
 * secret whose end has not arrived, but releases everything up to the last newline at once when no secret
 * spans lines. A secret straddling the emitted boundary is masked whole: the part held back is remembered
 * as already masked. Memory stays bounded by the longest pattern.
 */
export function createStreamMasker(masker: Masker): StreamMasker {
  let pending = '';
  let carry = 0; // leading characters of `pending` that belong to a secret already partly emitted as ***

  const emit = (text: string, cut: number): string => {
    if (cut === 0) {
      pending = text;
      return '';
    }
    const found = masker.findMatches(text);
    const ranges = mergeRanges(carry > 0 ? [{ start: 0, end: carry }, ...found] : found);
    const continuing = carry > 0;
    let out = '';
    let at = 0;
    let nextCarry = 0;
    for (const range of ranges) {
      if (range.start >= cut) break;
      out += text.slice(at, range.start);
      if (!(continuing && range.start === 0)) out += MASK; // the *** for it went out with the last chunk
      at = Math.min(range.end, cut);
      nextCarry = Math.max(0, range.end - cut);
    }
    out += text.slice(at, Math.max(at, cut));
    pending = text.slice(cut);
    carry = nextCarry;
    return out;
  };

  return {
    push(chunk) {
      const text = pending + chunk;
      let cut = Math.max(0, text.length - Math.max(0, masker.longestPattern - 1));
      if (!masker.spansLines) cut = Math.max(cut, text.lastIndexOf('\n') + 1);
      if (cut > 0 && cut < text.length && isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
      return emit(text, cut);
    },
    flush() {
      const text = pending;
      return emit(text, text.length);
    },
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
