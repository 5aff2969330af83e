/** `slipway init`: writes a commented starter slipway.yaml for the project in the current directory. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { renderStarter } from '../../config/starter.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

/** Writes slipway.yaml (or the -f path); refuses to overwrite without --force. */
export function initCommand(ctx: CommandContext, options: { force?: boolean }): number {
  const target = join(ctx.io.cwd, ctx.options.file ?? 'slipway.yaml');
  if (existsSync(target) && !options.force) {
    throw new UsageError(`${target} already exists (pass --force to overwrite)`);
  }
  let name = basename(ctx.io.cwd);
  let scripts: Record<string, string> | undefined;
  const pkgPath = join(ctx.io.cwd, 'package.json');
  if (existsSync(pkgPath)) {
    try {
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { name?: unknown; scripts?: unknown };
      if (typeof pkg.name === 'string' && pkg.name) name = pkg.name.replace(/^@[^/]+\//, '');
      if (pkg.scripts && typeof pkg.scripts === 'object') scripts = pkg.scripts as Record<string, string>;
    } catch (error) {
      throw new UsageError(`cannot read ${pkgPath}: ${(error as Error).message}`, { cause: error });
    }
  }
  const schemaPath = existsSync(join(ctx.io.cwd, 'node_modules/slipway/schema/slipway.schema.json'))
    ? './node_modules/slipway/schema/slipway.schema.json'
    : undefined;
  writeFileSync(
    target,
    renderStarter({
      projectName: name,
      ...(scripts ? { scripts } : {}),
      ...(schemaPath ? { schemaPath } : {}),
    }),
  );
  ctx.output.data({ written: target, fromPackageJson: scripts !== undefined });
  ctx.output.line(
    `wrote ${target}${scripts ? ' (jobs from package.json scripts)' : ''}; check it with \`slipway validate\``,
  );
  return ExitCode.Ok;
}
