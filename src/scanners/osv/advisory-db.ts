/**
 * The offline advisory database: OSV advisories loaded from a downloaded OSV export (a directory of
 * `<id>.json` files as `<ECOSYSTEM>/all.zip` unzips, or the zip itself) and indexed by package.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ScanError } from '../errors.js';
import { baseEcosystem } from './affected.js';
import { type OsvAdvisory, parseOsvAdvisory } from './osv-advisory.js';
import { zipEntries } from './zip-entries.js';

const keyOf = (ecosystem: string, name: string) => `${ecosystem}\u0000${name}`;

/** Advisories indexed by (ecosystem, package name); one record per id, the most recently modified. */
export class AdvisoryDb {
  readonly #byId = new Map<string, OsvAdvisory>();
  readonly #byPackage = new Map<string, Set<string>>();

  /** A database of `advisories`. */
  static of(advisories: Iterable<OsvAdvisory>): AdvisoryDb {
    const db = new AdvisoryDb();
    for (const advisory of advisories) db.add(advisory);
    return db;
  }

  /** Adds an advisory; of two records with one id, the later `modified` wins. */
  add(advisory: OsvAdvisory): void {
    const known = this.#byId.get(advisory.id);
    if (known !== undefined && Date.parse(known.modified) > Date.parse(advisory.modified)) return;
    this.#byId.set(advisory.id, advisory);
    for (const affected of advisory.affected ?? []) {
      const key = keyOf(affected.package.ecosystem, affected.package.name);
      const ids = this.#byPackage.get(key) ?? new Set<string>();
      ids.add(advisory.id);
      this.#byPackage.set(key, ids);
    }
  }

  /** How many advisories it holds. */
  get size(): number {
    return this.#byId.size;
  }

  /** The advisories naming this package, for `ecosystem` itself or its base (`Debian` for `Debian:12`). */
  advisoriesFor(ecosystem: string, name: string): OsvAdvisory[] {
    const ids = new Set([
      ...(this.#byPackage.get(keyOf(ecosystem, name)) ?? []),
      ...(this.#byPackage.get(keyOf(baseEcosystem(ecosystem), name)) ?? []),
    ]);
    // A record replaced by a later one may have named other packages; look each id up afresh.
    return [...ids]
      .map((id) => this.#byId.get(id))
      .filter((a): a is OsvAdvisory => a?.affected?.some((x) => x.package.name === name) === true);
  }
}

const parseJson = (text: string, source: string): OsvAdvisory => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ScanError('SCAN_ADVISORY_INVALID', `${source}: not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseOsvAdvisory(value, source);
};

async function jsonFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return jsonFilesUnder(path);
      return entry.isFile() && entry.name.endsWith('.json') ? [path] : [];
    }),
  );
  return nested.flat().sort();
}

/** The advisories of an OSV export's zip archive (its `.json` entries). */
export function advisoriesOfZip(zip: Buffer, source: string): OsvAdvisory[] {
  return zipEntries(zip)
    .filter((entry) => entry.name.endsWith('.json'))
    .map((entry) => parseJson(entry.read().toString('utf8'), `${source}:${entry.name}`));
}

/**
 * Loads an offline advisory database from `path`: a directory (searched recursively for `.json` files,
 * one advisory each), an OSV export `.zip`, or a single advisory `.json`.
 */
export async function loadAdvisoryDb(path: string): Promise<AdvisoryDb> {
  const info = await stat(path).catch((error: unknown) => {
    throw new ScanError('SCAN_ADVISORY_DB_NOT_FOUND', `no advisory database at ${path}`, { cause: error });
  });
  if (info.isDirectory()) {
    const db = new AdvisoryDb();
    const files = await jsonFilesUnder(path);
    // An export holds tens of thousands of files: read them in batches, not all open at once.
    for (let i = 0; i < files.length; i += 64) {
      const batch = files.slice(i, i + 64);
      const texts = await Promise.all(batch.map((file) => readFile(file, 'utf8')));
      for (const [j, text] of texts.entries()) db.add(parseJson(text, batch[j] ?? path));
    }
    return db;
  }
  if (path.endsWith('.zip')) return AdvisoryDb.of(advisoriesOfZip(await readFile(path), path));
  return AdvisoryDb.of([parseJson(await readFile(path, 'utf8'), path)]);
}
