/**
 * How the CLI's ssh processes are set up: the command's environment (HOME, SSH_AUTH_SOCK, PATH),
 * and, when `SLIPWAY_SSH_CONFIG` names a file, that ssh config read instead of ~/.ssh/config (`-F`):
 * keys, known_hosts, users and jump hosts for the fleet's hosts in one file of the project's.
 */
import type { SshClientOptions } from '../platform/ssh/ssh-target.js';
import type { CommandContext } from './context.js';

/** The ssh client settings of a command. */
export function sshClientOf(ctx: CommandContext): SshClientOptions {
  const configFile = ctx.io.env.SLIPWAY_SSH_CONFIG;
  return { env: ctx.io.env, ...(configFile ? { configFile } : {}) };
}
