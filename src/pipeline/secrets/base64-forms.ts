// The base64 spellings of a secret that a log may contain, alone or inside a longer base64 stream.
import { Buffer } from 'node:buffer';

/** Leading characters of base64(k prefix bytes + value) that depend on the prefix, for k = 0, 1, 2. */
const PREFIX_CHARS = [0, 2, 3] as const;

/**
 * Base64 forms of `value` worth masking: its standard encoding (with padding), and for each of the three
 * alignments it can have inside a longer base64 stream (0, 1 or 2 bytes before it, mod 3) the characters
 * that encode only bits of `value`: drop the ones shared with the bytes before it and the last, partial one
 * shared with whatever follows. Those inner substrings appear whatever surrounds the value.
 */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms = new Set<string>([bytes.toString('base64')]);
  PREFIX_CHARS.forEach((skip, offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Character i covers bits [6i, 6i + 6); the value occupies bits [8 * offset, 8 * (offset + length)).
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    if (end > skip) forms.add(encoded.slice(skip, end));
  });
  return [...forms];
}
