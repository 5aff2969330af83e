/**
 * The record of a published release under `.slipway/releases/<tag>/`: `release.json` (version,
 * commit, notes, assets, service revisions), `notes.md` and `SHA256SUMS`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../state-files/private-modes.js';
import { type AssetEntry, formatSums } from './asset-store.js';
import { ReleaseError } from './errors.js';

/** What is kept about one release. */
export interface ReleaseRecord {
  readonly tag: string;
  readonly version: string;
  readonly package: string | null;
  readonly previous: string | null;
  readonly bump: 'major' | 'minor' | 'patch' | null;
  /** The commit the tag points at. */
  readonly commit: string;
  /** ISO 8601. */
  readonly publishedAt: string;
  readonly commits: number;
  readonly notes: string;
  readonly assets: readonly AssetEntry[];
  /** Service id -> the revision built from the release's source. */
  readonly revisions: Readonly<Record<string, string>>;
}

/** The folder of a release (tags may hold `/`, so the name is encoded). */
export function releaseDir(stateDir: string, tag: string): string {
  return join(stateDir, 'releases', encodeURIComponent(tag));
}

/** Writes a release's record files (each written whole, then renamed into place). */
export function writeRecord(stateDir: string, record: ReleaseRecord): string {
  const dir = releaseDir(stateDir, record.tag);
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // Like every part of the state folder, release records stay out of git.
  const ignore = join(stateDir, '.gitignore');
  if (!existsSync(ignore))
    writeFileSync(ignore, '# Slipway state: runs, logs, caches, artifacts, releases\n*\n', {
      mode: PRIVATE_FILE_MODE,
    });
  const put = (name: string, text: string) => {
    writeFileSync(join(dir, `${name}.tmp`), text, { mode: PRIVATE_FILE_MODE });
    renameSync(join(dir, `${name}.tmp`), join(dir, name));
  };
  put('notes.md', record.notes);
  put('SHA256SUMS', formatSums(record.assets));
  put('release.json', `${JSON.stringify(record, null, 2)}\n`);
  return dir;
}

/** Reads the record of `tag`; RELEASE_NOT_FOUND when there is none. */
export function readRecord(stateDir: string, tag: string): ReleaseRecord {
  try {
    return JSON.parse(readFileSync(join(releaseDir(stateDir, tag), 'release.json'), 'utf8')) as ReleaseRecord;
  } catch (error) {
    throw new ReleaseError(
      'RELEASE_NOT_FOUND',
      `no release ${tag} in ${join(stateDir, 'releases')} (\`slipway releases\` lists them)`,
      { cause: error },
    );
  }
}

/** Every recorded release, newest first (by publication time, then version). */
export function listRecords(stateDir: string): ReleaseRecord[] {
  let names: string[];
  try {
    names = readdirSync(join(stateDir, 'releases'));
  } catch {
    return [];
  }
  const records: ReleaseRecord[] = [];
  for (const name of names) {
    try {
      records.push(JSON.parse(readFileSync(join(stateDir, 'releases', name, 'release.json'), 'utf8')));
    } catch {
      // A folder without a readable record is a release that was never finished; it is not listed.
    }
  }
  return records.sort(
    (a, b) =>
      b.publishedAt.localeCompare(a.publishedAt) ||
      (semver.valid(a.version) && semver.valid(b.version) ? semver.rcompare(a.version, b.version) : 0),
  );
}

/** The revision of `service` recorded for release `tag`, for rolling back to it; undefined when none was. */
export function releaseRevision(stateDir: string, tag: string, service: string): string | undefined {
  return readRecord(stateDir, tag).revisions[service];
}
