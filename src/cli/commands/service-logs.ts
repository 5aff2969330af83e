/** `slipway logs SERVICE --env ENV`: the captured output of a service's instances. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { agentPaths } from '../../platform/local/agent/agent-paths.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { stateDirOf } from '../platform.js';
import { projectDirOf } from '../project.js';
import { requireLocal } from '../remote/remote-context.js';

/** Prints the last lines of every instance log of a service in an environment, oldest instance first. */
export function serviceLogsCommand(
  ctx: CommandContext,
  service: string,
  env: string,
  options: { lines?: string; instance?: string },
): number {
  // Instance output lives in this machine's agent directory; the API does not serve it.
  requireLocal(ctx, '`slipway logs SERVICE --env ENV`');
  const lines = options.lines === undefined ? 100 : Number(options.lines);
  if (!Number.isInteger(lines) || lines < 1)
    throw new UsageError(`--lines must be a positive number, got '${options.lines}'`);
  const dir = join(agentPaths(stateDirOf(projectDirOf(ctx))).logsDir, service, env);
  if (!existsSync(dir)) throw new UsageError(`no logs for ${service} in ${env} (has it been deployed here?)`);
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .filter((name) => !options.instance || name === `${options.instance}.log`)
    .map((name) => ({ name, mtime: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => a.mtime - b.mtime);
  if (files.length === 0) throw new UsageError(`no logs for ${options.instance ?? service} in ${env}`);
  for (const file of files) {
    const instance = file.name.slice(0, -'.log'.length);
    const text = readFileSync(join(dir, file.name), 'utf8');
    const tail = text
      .split('\n')
      .filter((line, i, all) => line !== '' || i < all.length - 1)
      .slice(-lines);
    for (const line of tail) {
      if (ctx.output.json) ctx.output.data({ service, env, instance, text: line });
      else ctx.output.line(`${instance} | ${line}`);
    }
  }
  return ExitCode.Ok;
}
