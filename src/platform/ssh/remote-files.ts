/**
 * Puts files on a host through its transport: one file by content (written beside its place, then
 * renamed, so a reader never sees half of it), or a whole folder as a `tar` stream piped over ssh.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { SshError } from './errors.js';
import { quoteShellWord as q } from './ssh-args.js';
import { describeTarget } from './ssh-target.js';
import type { SshTransport } from './ssh-transport.js';

/** How long a copy may take and how to stop it. */
export interface CopyOptions {
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Writes `content` to `remotePath` on the host (folders made as needed), with `mode` (0600 by default). */
export async function uploadFile(
  transport: SshTransport,
  remotePath: string,
  content: string | Uint8Array | Readable,
  options: CopyOptions & { readonly mode?: number | undefined } = {},
): Promise<void> {
  const mode = (options.mode ?? 0o600).toString(8);
  const temp = `${remotePath}.slipway-upload-${randomBytes(6).toString('hex')}`;
  const script =
    `umask 077 && mkdir -p ${q(posix.dirname(remotePath))} && ` +
    `{ cat > ${q(temp)} && chmod ${mode} ${q(temp)} && mv -f ${q(temp)} ${q(remotePath)}; } ` +
    `|| { status=$?; rm -f ${q(temp)}; exit $status; }`;
  await transport.run(script, { stdin: content, timeoutMs: options.timeoutMs, signal: options.signal });
}

/**
 * Copies the files of `localDir` (recursively) into `remoteDir` on the host, made if missing; files
 * already there and not in `localDir` stay. Needs `tar` on both sides.
 */
export async function copyDirectory(
  transport: SshTransport,
  localDir: string,
  remoteDir: string,
  options: CopyOptions = {},
): Promise<void> {
  const tar = spawn('tar', ['-C', localDir, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tarError = '';
  tar.stderr.setEncoding('utf8');
  tar.stderr.on('data', (chunk: string) => {
    tarError = (tarError + chunk).slice(-4096);
  });
  // null: tar was ended by a signal (SIGPIPE when ssh stopped reading), which the ssh error explains.
  const tarDone = new Promise<number | null>((resolve) => {
    tar.once('error', (error) => {
      tarError += error.message;
      resolve(-1);
    });
    tar.once('close', (code) => resolve(code));
  });
  const unpack = `mkdir -p ${q(remoteDir)} && tar -C ${q(remoteDir)} --no-same-owner -xf -`;
  // Node discards a child's unread output when it exits: piping now keeps tar's stream for ssh,
  // which only reads it once the master connection is up.
  const archive = tar.stdout.pipe(new PassThrough());
  const run = transport.run(unpack, {
    stdin: archive,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  // An ssh that failed stops reading: tar would then wait on a full pipe forever.
  let stoppedTar = false;
  run.catch(() => {
    stoppedTar = tar.exitCode === null && tar.kill();
  });
  const [ran, tarCode] = await Promise.allSettled([run, tarDone]);
  const tarFailed =
    tarCode.status === 'fulfilled' && tarCode.value !== 0 && tarCode.value !== null && !stoppedTar;
  if (tarFailed) {
    throw new SshError(
      'SSH_COPY_FAILED',
      transport.target.name,
      `Cannot copy ${localDir} to ${describeTarget(transport.target)}:${remoteDir}: local tar failed: ${tarError.trim()}`,
      ran.status === 'rejected' ? { cause: ran.reason } : undefined,
    );
  }
  if (ran.status === 'rejected') throw ran.reason;
}
