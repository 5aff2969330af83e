/** `slipway server`: the HTTP API over this project's store and engines, until Ctrl-C. */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { relative, resolve } from 'node:path';
import { formatDiagnostic } from '../../config/diagnostic.js';
import { loadConfigFile } from '../../config/load-config.js';
import type { ResolvedConfig } from '../../config/resolved.js';
import { slipwayVersion } from '../../package/version.js';
import { PipelineError } from '../../pipeline/errors.js';
import { systemClock } from '../../rollout/rollout-clock.js';
import { createServer } from '../../server/create-server.js';
import { ServerError } from '../../server/server-error.js';
import { agentCommand } from '../agent-command.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { localPlatform } from '../platform.js';
import { loadProject, openProjectStore } from '../project.js';

/** Options of `slipway server`. */
export interface ServerOptions {
  readonly port?: string;
  readonly host?: string;
  readonly insecure?: boolean;
  /** PEM files to serve HTTPS with (both or neither). */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /** The branch whose pushes start runs (default: the project's current branch). */
  readonly branch?: string;
  /** A file holding the webhook secret (default: SLIPWAY_WEBHOOK_SECRET). */
  readonly webhookSecretFile?: string;
}

/** The certificate and key of --tls-cert and --tls-key (both or neither), read as PEM. */
function readTls(cwd: string, options: ServerOptions): { cert: Buffer; key: Buffer } | undefined {
  if (options.tlsCert === undefined && options.tlsKey === undefined) return undefined;
  if (options.tlsCert === undefined || options.tlsKey === undefined)
    throw new ServerError('BAD_TLS', '--tls-cert and --tls-key go together: pass both, or neither');
  const read = (flag: string, file: string, marker: RegExp): Buffer => {
    let content: Buffer;
    try {
      content = readFileSync(resolve(cwd, file));
    } catch (error) {
      throw new ServerError('BAD_TLS', `cannot read ${flag} ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!marker.test(content.toString('latin1')))
      throw new ServerError('BAD_TLS', `${flag} ${file} is not a PEM file (no BEGIN line)`);
    return content;
  };
  return {
    cert: read('--tls-cert', options.tlsCert, /-----BEGIN CERTIFICATE-----/),
    key: read('--tls-key', options.tlsKey, /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
  };
}

/** The webhook secret of a file (relative to `cwd`), without its trailing newline; an empty or unreadable file is an error. */
function readWebhookSecret(cwd: string, file: string): string {
  let secret: string;
  try {
    secret = readFileSync(resolve(cwd, file), 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new ServerError(
      'BAD_WEBHOOK_SECRET',
      `cannot read --webhook-secret-file ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (secret.trim() === '')
    throw new ServerError('BAD_WEBHOOK_SECRET', `--webhook-secret-file ${file} is empty`);
  return secret;
}

/** True for hosts only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare.toLowerCase().startsWith('::ffff:127.');
  return false;
}

function portOf(text: string | undefined): number {
  const port = Number(text ?? '7070');
  if (!/^\d{1,5}$/.test(text ?? '7070') || port > 65535)
    throw new ServerError('BAD_PORT', `--port must be a number from 0 to 65535, got '${text}'`);
  return port;
}

/** Starts the server and serves until SIGINT or SIGTERM. */
export async function serverCommand(ctx: CommandContext, options: ServerOptions): Promise<number> {
  const host = options.host ?? '127.0.0.1';
  const port = portOf(options.port);
  const tls = readTls(ctx.io.cwd, options);
  if (!isLoopbackHost(host) && tls === undefined && options.insecure !== true) {
    throw new ServerError(
      'INSECURE_HOST',
      `refusing to serve on ${host} without TLS: tokens would cross the network in clear text. Pass --tls-cert and --tls-key, use a loopback host behind a TLS proxy, or pass --insecure to serve plain HTTP anyway`,
    );
  }
  const webhookSecret =
    options.webhookSecretFile === undefined
      ? undefined
      : readWebhookSecret(ctx.io.cwd, options.webhookSecretFile);
  const project = await loadProject(ctx);
  const loadConfig = async (): Promise<ResolvedConfig> => {
    const result = loadConfigFile(project.file);
    if (result.config) return result.config;
    const errors = result.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => formatDiagnostic(project.file, d));
    throw new PipelineError('CONFIG_INVALID', `${project.file} is invalid: ${errors.join('; ')}`);
  };
  const store = await openProjectStore(ctx, project.projectDir);
  const { output } = ctx;
  const log = (level: 'info' | 'error', message: string) => {
    if (output.json) output.data({ level, time: new Date().toISOString(), message });
    else if (level === 'error') output.error(`slipway server: ${message}`);
    else output.line(message);
  };
  const server = createServer({
    store,
    projectDir: project.projectDir,
    loadConfig,
    platform: localPlatform(ctx, project.projectDir),
    clock: systemClock(),
    logger: { info: (m) => log('info', m), error: (m) => log('error', m) },
    env: ctx.io.env,
    slipwayCommand: agentCommand(),
    version: slipwayVersion(),
    configFile: relative(project.projectDir, project.file),
    ...(tls === undefined ? {} : { https: tls }),
    ...(webhookSecret === undefined ? {} : { webhookSecret }),
    ...(options.branch === undefined ? {} : { branch: options.branch }),
  });
  let address: string;
  try {
    address = await server.app.listen({ port, host });
  } catch (error) {
    await server.close().catch(() => {});
    await store.close();
    throw new ServerError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  log(
    'info',
    `slipway server for ${project.config.project.name} listening on ${address} (API under /api/v1)`,
  );
  if ((await store.listTokens()).every((t) => t.revokedAt !== null))
    log('info', 'no API tokens yet: create one with `slipway token create --role admin --name NAME`');
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  log('info', 'stopping: aborting runs started here and closing connections');
  await server.close();
  await store.close();
  return ExitCode.Ok;
}
