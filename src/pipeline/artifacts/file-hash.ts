// SHA-256 of file contents, streamed so large files never sit in memory whole.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, openSync, readSync } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PRIVATE_FILE_MODE } from '../../state-files/private-modes.js';

/** Digest and byte count of some content. */
export interface ContentHash {
  readonly sha256: string;
  readonly size: number;
}

/** Hashes a file by streaming it. */
export async function hashFile(path: string): Promise<ContentHash> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Copies `from` to `to` (created owner-only, or truncated), hashing the bytes as they pass. */
export async function copyHashing(from: string, to: string): Promise<ContentHash> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(from), tap, createWriteStream(to, { mode: PRIVATE_FILE_MODE }));
  return { sha256: hash.digest('hex'), size };
}

const SYNC_CHUNK = 1024 * 1024;

/** Raw SHA-256 digest of a file, read synchronously in fixed-size chunks. */
export function hashFileSync(path: string): Buffer {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(SYNC_CHUNK);
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const read = readSync(fd, buffer, 0, SYNC_CHUNK, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest();
}
