/**
 * The files `flags.sources` names: each glob's matches under the config file's directory, and
 * what they held when the config was loaded, so the config cache can tell when one changed
 * without loading the YAML parser.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { globSync } from 'tinyglobby';

/** The files besides slipway.yaml a config was read from, and the globs that found them. */
export interface ConfigInputs {
  /** The config file's name, which no glob counts as a source. */
  readonly configFile: string;
  /** `flags.sources` as written. */
  readonly globs: readonly string[];
  /** Each file read (relative to the config file's directory, `/`-separated) and the SHA-256 of its text. */
  readonly files: Readonly<Record<string, string>>;
}

/** The files each glob matches (relative, `/`-separated, sorted); `configFile` never counts as a source. */
export function matchSources(dir: string, globs: readonly string[], configFile: string): string[][] {
  return globs.map((glob) =>
    globSync(glob, { cwd: dir, onlyFiles: true, expandDirectories: false })
      .filter((file) => file !== configFile)
      .sort(),
  );
}

/** The SHA-256 of a source file's text, hex. */
export function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** True when the globs still match exactly the files recorded and each holds the same text. */
export function inputsUnchanged(dir: string, inputs: ConfigInputs): boolean {
  const now = [...new Set(matchSources(dir, inputs.globs, inputs.configFile).flat())].sort();
  const then = Object.keys(inputs.files).sort();
  if (now.length !== then.length || now.some((file, i) => file !== then[i])) return false;
  try {
    return now.every((file) => digestOf(readFileSync(join(dir, file), 'utf8')) === inputs.files[file]);
  } catch {
    return false;
  }
}
