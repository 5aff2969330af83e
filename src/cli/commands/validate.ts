/** `slipway validate`: checks slipway.yaml and prints every problem as `file:line:col: error: ...`. */
import { dirname, join, relative } from 'node:path';
import { findConfigFile } from '../../config/config-file.js';
import { formatDiagnostic, formatPath } from '../../config/diagnostic.js';
import { loadConfigFile } from '../../config/load-config.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';

/** Validates the config file; exit 0 when valid (warnings allowed), 1 when invalid. */
export function validateCommand(ctx: CommandContext): number {
  const path = findConfigFile(ctx.io.cwd, ctx.options.file);
  const result = loadConfigFile(path);
  const shown = relative(ctx.io.cwd, path) || path;
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  if (ctx.output.json) {
    ctx.output.data({
      file: shown,
      valid: errors === 0,
      errors,
      warnings,
      // A flag file's problems name it as the text does: relative to where the command runs.
      diagnostics: result.diagnostics.map((d) => ({
        ...d,
        path: formatPath(d.path),
        ...(d.file !== undefined ? { file: join(dirname(shown), d.file) } : {}),
      })),
    });
  } else {
    for (const d of result.diagnostics) {
      const line = formatDiagnostic(shown, d);
      ctx.output.line(ctx.output.paint(d.severity === 'error' ? 'red' : 'yellow', line));
    }
    const counts = [
      errors > 0 ? `${errors} error${errors === 1 ? '' : 's'}` : '',
      warnings > 0 ? `${warnings} warning${warnings === 1 ? '' : 's'}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    if (errors === 0) {
      const jobs = Object.keys(result.config?.jobs ?? {}).length;
      const stages = result.config?.stages.length ?? 0;
      ctx.output.line(`${shown}: valid (${jobs} jobs in ${stages} stages${counts ? `; ${counts}` : ''})`);
    } else ctx.output.line(`${shown}: invalid (${counts})`);
  }
  return errors === 0 ? ExitCode.Ok : ExitCode.Failed;
}
