/**
 * Ships one revision to one host through its transport, content-addressed: one round trip asks which
 * blobs the host lacks, one `tar` stream sends only those, and the host verifies every blob and then
 * the whole tree against the revision digest before marking it complete (layout in ship-scripts.ts).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { ChangedFileError, type TarEntry, tarStream } from './blob-tar.js';
import { sshLastWords } from './classify-failure.js';
import { SshError } from './errors.js';
import { manifestLine, manifestText, type RevisionManifest } from './revision-manifest.js';
import { ShipError } from './ship-errors.js';
import { FORGET_BLOBS_SCRIPT, INSTALL_SCRIPT, QUERY_SCRIPT, SHIP_EXIT } from './ship-scripts.js';
import { describeTarget } from './ssh-target.js';
import type { RemoteResult, SshTransport } from './ssh-transport.js';

/** A revision to ship: its local folder and the manifest built from it. */
export interface ShipSource {
  readonly dir: string;
  readonly manifest: RevisionManifest;
}

/** How to ship. */
export interface ShipOptions {
  /** Limit for each remote command (the query, the install). Default 10 minutes. */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** For tests: wraps the archive on its way to the host, e.g. to damage a byte in transit. */
  readonly tapArchive?: ((archive: Readable) => Readable) | undefined;
  /**
   * Only the blobs the host lacks are sent and verified there; the tree is left for the host's
   * agent to build (`stored`). Nothing is run on the host for a revision whose blobs it all has.
   */
  readonly blobsOnly?: boolean | undefined;
}

/**
 * What one host got: `present` when it already had the complete revision (nothing sent), `stored`
 * when (with `blobsOnly`) it has every blob of it but not its tree.
 */
export interface ShipResult {
  readonly status: 'shipped' | 'present' | 'stored';
  readonly host: string;
  readonly digest: string;
  /** Blobs sent (distinct contents the host lacked). */
  readonly filesSent: number;
  /** Bytes of the archive written to ssh (headers, blobs and the manifest). */
  readonly bytesSent: number;
  /** Content bytes of the blobs sent. */
  readonly blobBytes: number;
  /** The archive's size and blob count as the host's script measured them. */
  readonly hostReceivedBytes: number;
  readonly hostReceivedBlobs: number;
  readonly ms: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Where the scripts' answer lines start with `keyword `, the rest of the first such line. */
function answer(stdout: string, keyword: string): string | undefined {
  const line = stdout.split('\n').find((l) => l === keyword || l.startsWith(`${keyword} `));
  return line === undefined ? undefined : line.slice(keyword.length).trim();
}

/** Ships `source` into `remoteDir` on the transport's host; throws `ShipError` or `SshError`. */
export async function shipRevision(
  transport: SshTransport,
  source: ShipSource,
  remoteDir: string,
  options: ShipOptions = {},
): Promise<ShipResult> {
  const started = Date.now();
  const { manifest } = source;
  const host = transport.target.name;
  const run = { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal: options.signal, check: false };
  const hashes = [...new Set(manifest.files.map((f) => f.sha256))];
  const query = await transport.run(['sh', '-c', QUERY_SCRIPT, 'ship', remoteDir, manifest.digest], {
    ...run,
    stdin: hashes.map((h) => `${h}\n`).join(''),
  });
  if (query.exitCode === SHIP_EXIT.toolsMissing) throw toolsMissing(transport, query);
  const result = (status: ShipResult['status'], sent: Partial<ShipResult>): ShipResult => ({
    status,
    host,
    digest: manifest.digest,
    filesSent: 0,
    bytesSent: 0,
    blobBytes: 0,
    hostReceivedBytes: 0,
    hostReceivedBlobs: 0,
    ...sent,
    ms: Date.now() - started,
  });
  if (query.exitCode !== 0) throw protocol(transport, 'the blob query', query);
  if (answer(query.stdout, 'complete') !== undefined) return result('present', {});
  if (answer(query.stdout, 'lacking') === undefined) throw protocol(transport, 'the blob query', query);
  const lacking = new Set(query.stdout.split('\n').filter((line) => /^[0-9a-f]{64}$/.test(line)));
  if (options.blobsOnly && lacking.size === 0) return result('stored', {});

  const entries: TarEntry[] = [];
  let blobBytes = 0;
  for (const file of manifest.files) {
    if (!lacking.delete(file.sha256)) continue;
    entries.push({
      name: `b/${file.sha256}`,
      file: join(source.dir, file.path),
      size: file.size,
      sha256: file.sha256,
    });
    blobBytes += file.size;
  }
  entries.push({ name: 'MANIFEST', content: Buffer.from(manifestText(manifest.files)) });
  let bytesSent = 0;
  let localFailure: unknown;
  const archive = tarStream(entries);
  const tapped = options.tapArchive ? options.tapArchive(archive) : archive;
  const counted: Transform = tapped.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytesSent += chunk.length;
        done(null, chunk);
      },
    }),
  );
  // pipe() does not pass errors on: a file that changed must still end the host's stdin.
  for (const stream of new Set([archive, tapped]))
    stream.on('error', (error) => {
      localFailure ??= error;
      counted.destroy(error);
    });
  const stagingId = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
  const install = await transport.run(
    [
      'sh',
      '-c',
      INSTALL_SCRIPT,
      'ship',
      remoteDir,
      manifest.digest,
      stagingId,
      options.blobsOnly ? 'blobs' : 'tree',
    ],
    {
      ...run,
      stdin: counted,
    },
  );
  if (localFailure !== undefined) throw sourceChanged(transport, localFailure);
  const done = options.blobsOnly ? 'stored' : 'complete';
  if (install.exitCode !== 0 || answer(install.stdout, done) === undefined)
    throw await installFailure(transport, source, remoteDir, install, run);
  return result(options.blobsOnly ? 'stored' : 'shipped', {
    filesSent: entries.length - 1,
    bytesSent,
    blobBytes,
    hostReceivedBytes: Number(answer(install.stdout, 'received-bytes') ?? 0),
    hostReceivedBlobs: Number(answer(install.stdout, 'received-blobs') ?? 0),
  });
}

function toolsMissing(transport: SshTransport, query: RemoteResult): ShipError {
  const names = (answer(query.stdout, 'tools-missing') ?? '').split(' ').filter((n) => n !== '');
  return new ShipError(
    'SHIP_TOOLS_MISSING',
    transport.target.name,
    `Host ${describeTarget(transport.target)} lacks ${names.join(', ')} on its PATH, which shipping a revision needs ` +
      '(Debian: apt-get install coreutils findutils tar).',
  );
}

function protocol(transport: SshTransport, what: string, remote: RemoteResult): ShipError {
  const said = sshLastWords(remote.stderr) || sshLastWords(remote.stdout) || 'no output';
  return new ShipError(
    'SHIP_PROTOCOL',
    transport.target.name,
    `Unexpected answer from ${describeTarget(transport.target)} to ${what} (exit code ${remote.exitCode}): ${said}`,
    { cause: new SshError('SSH_COMMAND_FAILED', transport.target.name, said, { remote }) },
  );
}

function sourceChanged(transport: SshTransport, failure: unknown): ShipError {
  const which = failure instanceof ChangedFileError ? failure.file : String(failure);
  return new ShipError(
    'SHIP_BAD_SOURCE',
    transport.target.name,
    `Cannot ship to ${describeTarget(transport.target)}: ${failure instanceof Error ? failure.message : which}; build the manifest again`,
    { cause: failure },
  );
}

const WRITE_TROUBLE =
  /No space left|Read-only file system|Permission denied|Disk quota|Not a directory|File exists|Input\/output error/;

async function installFailure(
  transport: SshTransport,
  source: ShipSource,
  remoteDir: string,
  install: RemoteResult,
  run: { timeoutMs: number; signal: AbortSignal | undefined },
): Promise<ShipError> {
  const host = transport.target.name;
  const who = describeTarget(transport.target);
  const said = sshLastWords(install.stderr);
  const pathsOf = (hashes: readonly string[]) =>
    source.manifest.files.filter((f) => hashes.includes(f.sha256)).map((f) => f.path);
  const remote = new SshError('SSH_COMMAND_FAILED', host, `install exited ${install.exitCode}`, {
    remote: install,
  });
  const options = { cause: remote };
  switch (install.exitCode) {
    case SHIP_EXIT.writeFailed:
      return new ShipError(
        'SHIP_HOST_WRITE_FAILED',
        host,
        `Cannot store revision ${source.manifest.digest} under ${remoteDir} on ${who}: ${answer(install.stdout, 'write-failed') ?? 'a step'} failed: ${said || 'no message'}`,
        options,
      );
    case SHIP_EXIT.corrupt: {
      if (answer(install.stdout, 'tar-failed') !== undefined && WRITE_TROUBLE.test(install.stderr))
        return new ShipError(
          'SHIP_HOST_WRITE_FAILED',
          host,
          `Cannot unpack blobs under ${remoteDir} on ${who}: ${said}`,
          options,
        );
      const hashes = (answer(install.stdout, 'corrupt') ?? '').split(' ').filter((h) => h !== '');
      const paths = pathsOf(hashes);
      const what =
        hashes.length > 0
          ? `blob${hashes.length === 1 ? '' : 's'} of ${paths.join(', ')} arrived with the wrong SHA-256`
          : answer(install.stdout, 'manifest-corrupt') !== undefined
            ? 'the manifest arrived with the wrong digest'
            : `the archive arrived damaged (tar: ${said || 'no message'})`;
      return new ShipError(
        'SHIP_BLOB_CORRUPT',
        host,
        `${who} refused revision ${source.manifest.digest}: ${what}; nothing was installed`,
        { ...options, paths },
      );
    }
    case SHIP_EXIT.digestMismatch: {
      const paths = mismatchedPaths(source.manifest, install.stdout);
      const bad = source.manifest.files.filter((f) => paths.includes(f.path)).map((f) => f.sha256);
      // A blob whose content is not its name is damaged storage: forget it, so the next ship sends it again.
      if (bad.length > 0)
        await transport
          .run(['sh', '-c', FORGET_BLOBS_SCRIPT, 'ship', remoteDir, ...new Set(bad)], run)
          .catch(() => undefined);
      return new ShipError(
        'SHIP_DIGEST_MISMATCH',
        host,
        `The tree of revision ${source.manifest.digest} built on ${who} does not match its digest ` +
          `(host computed ${answer(install.stdout, 'digest-mismatch') ?? 'nothing'}); ` +
          `differing: ${paths.length > 0 ? paths.join(', ') : 'unknown'}; not marked complete`,
        { ...options, paths },
      );
    }
    case SHIP_EXIT.blobMissing: {
      const hash = answer(install.stdout, 'missing') ?? '';
      return new ShipError(
        'SHIP_DIGEST_MISMATCH',
        host,
        `A blob of ${pathsOf([hash]).join(', ') || hash} vanished from ${remoteDir}/objects on ${who} during the ship; not marked complete`,
        { ...options, paths: pathsOf([hash]) },
      );
    }
    default:
      return protocol(transport, 'the install', install);
  }
}

/** Paths whose line in the host's tree manifest differs from ours (either side). */
export function mismatchedPaths(manifest: RevisionManifest, stdout: string): string[] {
  const start = stdout.indexOf('\ntree-begin\n');
  if (start < 0) return [];
  const theirs = new Set(
    stdout
      .slice(start + '\ntree-begin\n'.length)
      .split('\n')
      .filter((l) => l !== ''),
  );
  const ours = new Set(manifest.files.map((f) => manifestLine(f).slice(0, -1)));
  const pathOf = (line: string) => line.split(' ').slice(2).join(' ');
  const differ = new Set<string>();
  for (const line of ours) if (!theirs.has(line)) differ.add(pathOf(line));
  for (const line of theirs) if (!ours.has(line)) differ.add(pathOf(line));
  return [...differ].sort();
}
