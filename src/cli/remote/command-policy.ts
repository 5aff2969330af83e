/**
 * Which commands may run against a server. Commands listed here have no API equivalent and
 * refuse `--server` (exit 2); validate, schema and init read or write the local file and always
 * run locally; every other command talks to the server's API when one is set.
 */
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import type { CommandContext } from '../context.js';
import { requireLocal } from './remote-context.js';

/** Command paths (`agent start`) that run on this machine only. */
export const LOCAL_ONLY_COMMANDS: ReadonlySet<string> = new Set([
  'plan',
  'health',
  'pause',
  'resume',
  'demo',
  'server',
  'release',
  'release download',
  'agent start',
  'agent stop',
  'agent status',
  'agent run',
  'agent install',
  'host trust',
  'edge',
  'failover',
]);

/** The path of a command below the program, e.g. `release show`. */
export function commandPath(command: CommandUnknownOpts): string {
  const names: string[] = [];
  for (let c: CommandUnknownOpts | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Refuses a local-only command when a server is targeted. */
export function checkRemotePolicy(ctx: CommandContext, command: CommandUnknownOpts): void {
  const path = commandPath(command);
  if (LOCAL_ONLY_COMMANDS.has(path)) requireLocal(ctx, `\`slipway ${path}\``);
}
