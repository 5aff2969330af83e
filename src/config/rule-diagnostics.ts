/** What every cross-field rule file reports with: errors and warnings positioned in the source. */
import type { ConfigPath, Diagnostic } from './diagnostic.js';
import type { ConfigSource, Position } from './source.js';

/** A list of diagnostics and the two ways rules add to it (at the value's position unless given). */
export interface RuleDiagnostics {
  readonly out: Diagnostic[];
  error(path: ConfigPath, message: string, at?: Position): void;
  warning(path: ConfigPath, message: string, at?: Position): void;
}

/** An empty list of diagnostics over `source`. */
export function ruleDiagnostics(source: ConfigSource): RuleDiagnostics {
  const out: Diagnostic[] = [];
  const add =
    (severity: Diagnostic['severity']) =>
    (path: ConfigPath, message: string, at: Position = source.valueAt(path)): void => {
      out.push({ severity, path, message, ...at });
    };
  return { out, error: add('error'), warning: add('warning') };
}

/** A position as messages quote it: `line:col`. */
export const pos = (p: Position): string => `${p.line}:${p.col}`;
