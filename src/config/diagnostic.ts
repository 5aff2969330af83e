/** Diagnostics: problems found in a config file, each with a path and a source position. */
import { dirname, join } from 'node:path';

/** A path into the config document: keys and list indexes. */
export type ConfigPath = readonly (string | number)[];

/** One problem in a config file, positioned at the offending key or value. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly path: ConfigPath;
  readonly message: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly col: number;
  /**
   * The file the problem is in when it is not the config file itself (a file of `flags.sources`),
   * relative to the config file's directory; `path`, `line` and `col` are then in that file.
   */
  readonly file?: string;
}

/** Renders a path the way users read it: `pipeline.stages[1].parallel[2]`. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** Formats a diagnostic in the compiler form editors and CI annotate: `file:line:col: error: path: message`. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const where = d.path.length > 0 ? `${formatPath(d.path)}: ` : '';
  const shown = d.file === undefined ? file : join(dirname(file), d.file);
  return `${shown}:${d.line}:${d.col}: ${d.severity}: ${where}${d.message}`;
}

/**
 * Orders diagnostics by position (the config file's first, then other files by name), errors
 * before warnings at the same place, and drops exact repeats.
 */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique = list.filter((d) => {
    const key = `${d.file ?? ''}:${d.line}:${d.col}:${d.severity}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const fileOrder = (a: Diagnostic, b: Diagnostic): number =>
    a.file === b.file ? 0 : a.file === undefined ? -1 : b.file === undefined ? 1 : a.file < b.file ? -1 : 1;
  return unique.sort(
    (a, b) =>
      fileOrder(a, b) ||
      a.line - b.line ||
      a.col - b.col ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1),
  );
}
