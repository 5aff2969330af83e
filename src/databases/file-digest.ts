/** The SHA-256 and size of a snapshot file, read as a stream. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { DatabaseError } from './errors.js';

/** The file's SHA-256 (hex) and its size in bytes. */
export async function fileDigest(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Throws SNAPSHOT_CORRUPT unless the file has the SHA-256 it was recorded with. */
export async function verifyDigest(file: string, sha256: string): Promise<void> {
  let actual: string;
  try {
    actual = (await fileDigest(file)).sha256;
  } catch (error) {
    throw new DatabaseError(
      'SNAPSHOT_NOT_FOUND',
      `snapshot file ${file} cannot be read: ${(error as Error).message}`,
    );
  }
  if (actual !== sha256)
    throw new DatabaseError(
      'SNAPSHOT_CORRUPT',
      `snapshot file ${file} does not match its checksum (recorded sha256 ${sha256.slice(0, 12)}…, file ${actual.slice(0, 12)}…): nothing was restored`,
    );
}
