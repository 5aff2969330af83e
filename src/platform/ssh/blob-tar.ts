/**
 * Writes a POSIX ustar archive as a stream, one entry at a time, so blobs can be sent under their
 * content names (`b/<sha256>`) without a local `tar` or a temp folder; every host's tar reads it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';

/** One archive member: bytes in memory, or a file read when its turn comes. */
export type TarEntry =
  | { readonly name: string; readonly content: Uint8Array }
  | { readonly name: string; readonly file: string; readonly size: number; readonly sha256: string };

const BLOCK = 512;
/** ustar's size field holds 11 octal digits. */
const MAX_SIZE = 0o77777777777;

function writeField(header: Buffer, offset: number, length: number, text: string): void {
  header.write(text, offset, length, 'ascii');
}

function octal(value: number, digits: number): string {
  return `${value.toString(8).padStart(digits, '0')}\0`;
}

/** The 512-byte ustar header of a regular file `name` (at most 100 bytes) of `size` bytes. */
export function tarHeader(name: string, size: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new RangeError(`tar member name too long: ${name}`);
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_SIZE)
    throw new RangeError(`tar member ${name} is too large (${size} bytes)`);
  const header = Buffer.alloc(BLOCK);
  writeField(header, 0, 100, name);
  writeField(header, 100, 8, octal(0o600, 7));
  writeField(header, 108, 8, octal(0, 7));
  writeField(header, 116, 8, octal(0, 7));
  writeField(header, 124, 12, octal(size, 11));
  writeField(header, 136, 12, octal(0, 11));
  writeField(header, 148, 8, '        ');
  writeField(header, 156, 1, '0');
  writeField(header, 257, 6, 'ustar\0');
  writeField(header, 263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  writeField(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

/** Bytes of padding after `size` bytes of content. */
function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The archive's exact length in bytes. */
export function tarLength(entries: readonly TarEntry[]): number {
  let total = 2 * BLOCK;
  for (const entry of entries) {
    const size = 'content' in entry ? entry.content.length : entry.size;
    total += BLOCK + size + padding(size);
  }
  return total;
}

/** Thrown into the stream when a file no longer has the size and SHA-256 it was listed with. */
export class ChangedFileError extends Error {
  override readonly name = 'ChangedFileError';
  constructor(readonly file: string) {
    super(`${file} changed while it was being shipped`);
  }
}

/** The archive of `entries`, in order; files are read one at a time. */
export function tarStream(entries: readonly TarEntry[]): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const entry of entries) {
      const content = 'content' in entry ? Buffer.from(entry.content) : await readFile(entry.file);
      if (
        'file' in entry &&
        (content.length !== entry.size || createHash('sha256').update(content).digest('hex') !== entry.sha256)
      )
        throw new ChangedFileError(entry.file);
      yield tarHeader(entry.name, content.length);
      yield content;
      const pad = padding(content.length);
      if (pad > 0) yield Buffer.alloc(pad);
    }
    yield Buffer.alloc(2 * BLOCK);
  }
  return Readable.from(chunks(), { objectMode: false });
}
