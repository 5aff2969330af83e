/**
 * The Debian packages installed in a root filesystem, read from dpkg's database (`var/lib/dpkg/status`)
 * and named as OSV's Debian advisories name them: by source package and source version, in the
 * `Debian:<release>` ecosystem of the filesystem's `etc/os-release`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ScanError } from '../errors.js';
import type { InstalledPackage } from '../installed-package.js';

/** Where dpkg keeps its database, relative to the root filesystem. */
export const DPKG_STATUS = 'var/lib/dpkg/status';

/** One stanza of a status file: its fields (continuation lines joined) and the line it starts on. */
interface Stanza {
  readonly fields: ReadonlyMap<string, string>;
  readonly line: number;
}

function stanzasOf(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let fields = new Map<string, string>();
  let start = 0;
  let last: string | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      if (fields.size > 0) stanzas.push({ fields, line: start });
      fields = new Map();
      last = undefined;
      return;
    }
    if (fields.size === 0) start = i + 1;
    if (/^[ \t]/.test(line)) {
      if (last !== undefined) fields.set(last, `${fields.get(last)}\n${line.trim()}`);
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return;
    last = line.slice(0, colon);
    fields.set(last, line.slice(colon + 1).trim());
  });
  if (fields.size > 0) stanzas.push({ fields, line: start });
  return stanzas;
}

/** True for a `Status:` of an installed package (`install ok installed`, `hold ok installed`). */
export function isInstalledStatus(status: string | undefined): boolean {
  const [, flag, state] = (status ?? '').split(/\s+/);
  return flag === 'ok' && state === 'installed';
}

/**
 * The installed packages of a status file's text in `ecosystem` (`Debian:12`): name and version are the
 * source package's (`Source: openssl (3.0.11-1~deb12u2)`), falling back to the binary's own; the path is
 * the binary package, the line its stanza's first line in `file`.
 */
export function parseDpkgStatus(text: string, file: string, ecosystem: string): InstalledPackage[] {
  return stanzasOf(text).flatMap(({ fields, line }) => {
    const binary = fields.get('Package');
    const version = fields.get('Version');
    if (binary === undefined || version === undefined || !isInstalledStatus(fields.get('Status'))) return [];
    const source = /^(\S+)(?:\s+\((\S+)\))?$/.exec(fields.get('Source') ?? '');
    const arch = fields.get('Architecture');
    return [
      {
        ecosystem,
        name: source?.[1] ?? binary,
        version: source?.[2] ?? version,
        file,
        path: arch === undefined || arch === 'all' ? binary : `${binary}:${arch}`,
        line,
        dev: false,
        optional: false,
      },
    ];
  });
}

/** The OSV ecosystem of a Debian `os-release`: `Debian:12`, or `Debian` for a release without a number (sid). */
export function debianEcosystemOf(osRelease: string): string {
  const field = (key: string) => new RegExp(`^${key}=("?)([^"\\n]*)\\1$`, 'm').exec(osRelease)?.[2];
  const version = field('VERSION_ID');
  return version === undefined || version === '' ? 'Debian' : `Debian:${version}`;
}

/** The Debian packages installed in the root filesystem at `root` (`/` for this machine). */
export async function readDpkgStatus(root: string): Promise<InstalledPackage[]> {
  const read = (path: string) => readFile(join(root, path), 'utf8');
  let status: string;
  try {
    status = await read(DPKG_STATUS);
  } catch (error) {
    throw new ScanError('SCAN_LOCKFILE_NOT_FOUND', `no dpkg database at ${join(root, DPKG_STATUS)}`, {
      cause: error,
    });
  }
  const osRelease = await read('etc/os-release').catch(() => read('usr/lib/os-release').catch(() => ''));
  return parseDpkgStatus(status, DPKG_STATUS, debianEcosystemOf(osRelease));
}
