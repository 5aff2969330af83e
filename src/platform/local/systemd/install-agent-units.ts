/**
 * Writes a project's agent units into a folder, refusing to overwrite units another project wrote,
 * and finds the socket units an earlier install wrote for ports the project no longer has.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AgentUnits, PROJECT_MARKER, type UnitFile, unitPrefix } from './agent-units.js';
import { SystemdUnitError } from './errors.js';

/** What an install did. */
export interface InstalledUnits {
  /** The files written, service first. */
  readonly written: readonly string[];
  /** Socket units of this project in the folder that the plan no longer has (left in place). */
  readonly stale: readonly string[];
}

/** Unit files are read by systemd and by whoever inspects the host; they hold no secret. */
const UNIT_FILE_MODE = 0o644;

/** The project recorded in a unit file, or undefined when the file is not one Slipway wrote. */
function projectOf(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => l.startsWith(PROJECT_MARKER));
  return line?.slice(PROJECT_MARKER.length);
}

function refuseForeign(dir: string, file: UnitFile, projectDir: string, name: string): void {
  const path = join(dir, file.unit);
  if (!existsSync(path)) return;
  const owner = projectOf(path);
  if (owner === projectDir) return;
  throw new SystemdUnitError(
    'UNIT_CONFLICT',
    `${path} already exists and ${owner === undefined ? 'was not written by slipway' : `belongs to the project in ${owner}`}; ` +
      `pick another unit name with --name (now '${name}')`,
  );
}

/** Writes `units` into `dir` (created if missing); checks every file before writing any. */
export function installAgentUnits(
  dir: string,
  units: AgentUnits,
  project: { readonly dir: string; readonly name: string },
): InstalledUnits {
  const files: UnitFile[] = [units.service, ...units.sockets];
  for (const file of files) refuseForeign(dir, file, project.dir, project.name);
  const written: string[] = [];
  try {
    mkdirSync(dir, { recursive: true });
    for (const file of files) {
      const path = join(dir, file.unit);
      // Written whole, then renamed: systemd never loads half a unit.
      const temp = `${path}.${process.pid}.tmp`;
      writeFileSync(temp, file.text, { mode: UNIT_FILE_MODE });
      try {
        renameSync(temp, path);
      } catch (error) {
        rmSync(temp, { force: true });
        throw error;
      }
      written.push(path);
    }
  } catch (error) {
    throw new SystemdUnitError(
      'UNIT_WRITE_FAILED',
      `cannot write the units into ${dir}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const planned = new Set(files.map((f) => f.unit));
  const prefix = unitPrefix(project.name);
  const stale = readdirSync(dir)
    .filter((n) => n.startsWith(prefix) && n.endsWith('.socket') && !planned.has(n))
    .filter((n) => projectOf(join(dir, n)) === project.dir)
    .sort();
  return { written, stale };
}
