/** Whether a command talks to a server, the client it uses, and the refusal of local-only commands. */
import type { CommandContext } from '../context.js';
import { ApiClient } from './api-client.js';
import { RemoteError } from './remote-error.js';
import { parseServerUrl } from './server-url.js';

/** The client of the server the command targets, or undefined to run locally. */
export function remoteClient(ctx: CommandContext): ApiClient | undefined {
  if (!ctx.remote) return undefined;
  const server = parseServerUrl(ctx.remote.url);
  const token = ctx.io.env.SLIPWAY_TOKEN?.trim();
  if (!token)
    throw new RemoteError(
      'NO_TOKEN',
      `${ctx.remote.from} ${server.base} needs an API token: set SLIPWAY_TOKEN (an admin makes one with \`slipway token create --role deployer --name NAME\`)`,
    );
  return new ApiClient({ server, token });
}

/** Throws LOCAL_ONLY (exit 2) when a server is targeted: `what` has no server equivalent. */
export function requireLocal(ctx: CommandContext, what: string): void {
  if (!ctx.remote) return;
  const drop = ctx.remote.from === '--server' ? 'drop --server' : 'unset SLIPWAY_SERVER';
  throw new RemoteError(
    'LOCAL_ONLY',
    `${what} runs locally only and has no server equivalent; ${drop} to run it on this machine`,
  );
}

/** Throws LOCAL_ONLY when `flag` was given with a server: the API has no such setting. */
export function refuseRemoteFlag(ctx: CommandContext, given: boolean, flag: string, why: string): void {
  if (ctx.remote && given)
    throw new RemoteError('LOCAL_ONLY', `${flag} cannot be used with ${ctx.remote.from}: ${why}`);
}
