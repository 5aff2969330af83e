/**
 * `slipway scan deps`: the dependency scanner a security stage runs. It reads the packages of a
 * lockfile, an installed node_modules tree (an `npm ci --omit=dev` image tree) or a root
 * filesystem's dpkg status, matches them against OSV advisories (offline from an OSV export, or
 * online from the OSV API, falling back to the export when the API cannot be reached), and writes
 * the findings as SARIF 2.1.0 for a job's `findings:` gate.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { writeSarifLog } from '../../findings/sarif-writer.js';
import { scanDependencies } from '../../scanners/dependency-scan.js';
import type { InstalledPackage } from '../../scanners/installed-package.js';
import { readDpkgStatus } from '../../scanners/lockfile/dpkg-status.js';
import { readInstalledTree } from '../../scanners/lockfile/installed-tree.js';
import { readNpmLockfile } from '../../scanners/lockfile/npm-lockfile.js';
import { AdvisoryDb, loadAdvisoryDb } from '../../scanners/osv/advisory-db.js';
import { resolveAdvisories } from '../../scanners/osv/osv-api.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { requireLocal } from '../remote/remote-context.js';

/** Options of `slipway scan deps`. */
export interface ScanDepsOptions {
  readonly lockfile?: string[];
  readonly nodeModules?: string[];
  readonly rootfs?: string[];
  /** An OSV export: a directory of advisories, an ecosystem's all.zip, or one JSON file. */
  readonly advisories?: string;
  /** Ask the OSV API (the export, when given, is the fallback). */
  readonly online?: boolean;
  readonly osvUrl?: string;
  /** Where to write the SARIF log (default: stdout). */
  readonly sarif?: string;
  readonly includeDev?: boolean;
}

/** Scans the given package sources against OSV advisories and writes SARIF. */
export async function scanDepsCommand(ctx: CommandContext, options: ScanDepsOptions): Promise<number> {
  requireLocal(ctx, 'slipway scan');
  const cwd = ctx.io.cwd;
  const shown = (path: string) => relative(cwd, resolve(cwd, path)) || '.';
  const packages: InstalledPackage[] = [];
  for (const file of options.lockfile ?? [])
    packages.push(...(await readNpmLockfile(resolve(cwd, file), shown(file))));
  for (const dir of options.nodeModules ?? [])
    packages.push(...(await readInstalledTree(resolve(cwd, dir), shown(dir))));
  for (const root of options.rootfs ?? []) packages.push(...(await readDpkgStatus(resolve(cwd, root))));
  if (packages.length === 0 && (options.lockfile ?? options.nodeModules ?? options.rootfs) === undefined)
    throw new UsageError(
      'name what to scan: --lockfile package-lock.json, --node-modules DIR or --rootfs DIR',
    );
  const scanned = options.includeDev ? packages : packages.filter((p) => !p.dev);
  if (!options.online && options.advisories === undefined)
    throw new UsageError(
      'name the advisories: --advisories OSV_EXPORT (offline) and/or --online (the OSV API)',
    );
  const offline =
    options.advisories !== undefined ? await loadAdvisoryDb(resolve(cwd, options.advisories)) : undefined;
  let db: AdvisoryDb;
  if (options.online) {
    const resolved = await resolveAdvisories(scanned, {
      ...(options.osvUrl ? { baseUrl: options.osvUrl } : {}),
      ...(offline ? { offline } : {}),
    });
    for (const warning of resolved.warnings) ctx.output.error(`scan: ${warning}`);
    db = resolved.db;
  } else db = offline ?? AdvisoryDb.of([]);
  const findings = scanDependencies({ packages: scanned, advisories: db });
  const log = writeSarifLog([{ tool: 'slipway-osv', informationUri: 'https://osv.dev', findings }]);
  const text = `${JSON.stringify(log, null, 2)}\n`;
  if (options.sarif) {
    const out = resolve(cwd, options.sarif);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
    ctx.output.error(
      `scan: ${scanned.length} packages, ${db.size} advisories, ${findings.length} findings -> ${shown(options.sarif)}`,
    );
  } else ctx.output.write(text);
  return ExitCode.Ok;
}
