/**
 * A small reader of ZIP archives (central directory, ZIP64 end record, stored and deflated entries) so an
 * OSV export (`<ECOSYSTEM>/all.zip`) is read as downloaded, without a zip library.
 */
import { crc32, inflateRawSync } from 'node:zlib';
import { ScanError } from '../errors.js';

/** One file of an archive. */
export interface ZipEntry {
  readonly name: string;
  /** The file's bytes, inflated and checked against its CRC-32 on each call. */
  readonly read: () => Buffer;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const invalid = (why: string): never => {
  throw new ScanError('SCAN_ARCHIVE_INVALID', `not a readable ZIP archive: ${why}`);
};

function directoryOf(zip: Buffer): { count: number; offset: number } {
  // The end record is the last 22 bytes plus a comment of up to 65535 bytes.
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === EOCD) {
      end = at;
      break;
    }
  }
  if (end < 0) return invalid('no end of central directory record');
  let count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const locator = end - 20;
  if (
    (count === 0xffff || offset === 0xffffffff) &&
    locator >= 0 &&
    zip.readUInt32LE(locator) === ZIP64_LOCATOR
  ) {
    const record = Number(zip.readBigUInt64LE(locator + 8));
    if (record + 56 > zip.length || zip.readUInt32LE(record) !== ZIP64_EOCD)
      return invalid('bad ZIP64 end record');
    count = Number(zip.readBigUInt64LE(record + 32));
    offset = Number(zip.readBigUInt64LE(record + 48));
  }
  return { count, offset };
}

/** The files of a ZIP archive (directories left out), in central directory order. */
export function zipEntries(zip: Buffer): ZipEntry[] {
  const { count, offset } = directoryOf(zip);
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL)
      return invalid(`bad central directory entry ${i}`);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at = next;
    if (name.endsWith('/')) continue;
    if (size === 0xffffffff || local === 0xffffffff)
      return invalid(`${name}: entries over 4 GiB are not supported`);
    entries.push({
      name,
      read: () => {
        if (zip.readUInt32LE(local) !== LOCAL) return invalid(`${name}: bad local header`);
        const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
        const raw = zip.subarray(start, start + size);
        if (method !== 0 && method !== 8)
          return invalid(`${name}: compression method ${method} is not supported`);
        const data = method === 0 ? Buffer.from(raw) : inflateRawSync(raw);
        if (crc32(data) !== crc) return invalid(`${name}: CRC-32 mismatch`);
        return data;
      },
    });
  }
  return entries;
}
