/**
 * Revisions on a host reached over SSH. A revision is built locally (revisions.ts, so its id is the
 * one a single host would give it), shipped content-addressed into `<dir>/revisions/<digest>/`, and
 * `<dir>/state/revisions/<service>/<id>` is pointed at that tree (a symlink renamed into place), where
 * the host's agent finds manifest.json and source/. Shipped trees are shared and never written to:
 * a pin is kept beside them, in `<dir>/state/pins/<service>/<id>`. Everything goes over SSH.
 */
import { posix } from 'node:path';
import { KEPT_REVISIONS, type RevisionManifest } from '../local/revisions.js';
import type { StoredRevision } from '../platform.js';
import type { SshTransport } from '../ssh/ssh-transport.js';
import { RemoteHostError } from './remote-errors.js';

/**
 * $1 = D, $2 = service, $3 = id, $4 = digest: points D/state/revisions/SERVICE/ID at
 * D/revisions/DIGEST by renaming a fresh symlink over it.
 */
export const POINT_REVISION_SCRIPT = `set -eu
D=$1 S=$2 I=$3 R=$4
[ -f "$D/revisions/$R/.complete" ] || { echo "revision $R is not complete under $D" >&2; exit 1; }
umask 077
mkdir -p "$D/state/revisions/$S"
t="$D/state/revisions/$S/.$I.$$"
ln -sfn "$D/revisions/$R" "$t"
mv -T "$t" "$D/state/revisions/$S/$I"
`;

/**
 * A Node.js program (run as `node -e`, a JSON request on stdin) that reads, pins and prunes the
 * revisions of a service under a state directory; it prints one JSON answer.
 */
export const REVISIONS_PROGRAM = `
const fs = require('node:fs');
const path = require('node:path');
let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const q = JSON.parse(input);
  const dir = (id) => path.join(q.stateDir, 'revisions', q.service, id);
  const pin = (id) => path.join(q.stateDir, 'pins', q.service, id);
  const manifest = (id) => {
    try { return JSON.parse(fs.readFileSync(path.join(dir(id), 'manifest.json'), 'utf8')); }
    catch { return undefined; }
  };
  const pinned = (id) => {
    try { return fs.readFileSync(pin(id), 'utf8').replace(/\\s+$/, ''); } catch { return undefined; }
  };
  let answer;
  if (q.op === 'find') {
    const m = manifest(q.id);
    answer = m ? { manifest: m, pinned: pinned(q.id) } : {};
  } else if (q.op === 'pin') {
    if (!manifest(q.id)) answer = { notFound: true };
    else {
      fs.mkdirSync(path.dirname(pin(q.id)), { recursive: true, mode: 0o700 });
      fs.writeFileSync(pin(q.id), q.reason + '\\n', { mode: 0o600 });
      answer = { pinned: true };
    }
  } else if (q.op === 'prune') {
    let names = [];
    try { names = fs.readdirSync(path.join(q.stateDir, 'revisions', q.service)); } catch {}
    const all = names.filter((n) => /^r-[0-9a-f]{12}$/.test(n)).map((n) => manifest(n)).filter(Boolean);
    all.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const removed = [];
    for (const m of all.slice(q.keep)) {
      if (q.inUse.includes(m.id) || pinned(m.id) !== undefined) continue;
      fs.rmSync(dir(m.id), { force: true });
      removed.push(m.id);
    }
    answer = { removed };
  }
  process.stdout.write(JSON.stringify(answer ?? { unknownOp: q.op }) + '\\n');
});
`;

/** The revisions of one host's state directory. */
export class RemoteRevisions {
  constructor(
    private readonly transport: SshTransport,
    /** The host's folder, `~` expanded. */
    private readonly dir: string,
    private readonly timeoutMs = 60_000,
  ) {}

  private get stateDir(): string {
    return posix.join(this.dir, 'state');
  }

  /** The revision as the host has it, or undefined. */
  async find(service: string, id: string): Promise<StoredRevision | undefined> {
    const answer = await this.ask<{ manifest?: RevisionManifest; pinned?: string }>({
      op: 'find',
      service,
      id,
    });
    if (!answer.manifest) return undefined;
    const { config: _config, ...revision } = answer.manifest;
    return answer.pinned === undefined ? revision : { ...revision, pinned: answer.pinned };
  }

  /** Pins a revision the host has; false when it has no such revision. */
  async pin(service: string, id: string, reason: string): Promise<boolean> {
    const answer = await this.ask<{ notFound?: boolean }>({ op: 'pin', service, id, reason });
    return answer.notFound !== true;
  }

  /** Points the host's revision `id` at the shipped tree `digest`. */
  async point(service: string, id: string, digest: string): Promise<void> {
    await this.transport.run(['sh', '-c', POINT_REVISION_SCRIPT, 'revision', this.dir, service, id, digest], {
      timeoutMs: this.timeoutMs,
    });
  }

  /** Unlinks all but the newest revisions of a service, never one in use or pinned; returns the ids. */
  async prune(service: string, inUse: ReadonlySet<string>, keep = KEPT_REVISIONS): Promise<string[]> {
    const answer = await this.ask<{ removed?: string[] }>({ op: 'prune', service, inUse: [...inUse], keep });
    return answer.removed ?? [];
  }

  private async ask<T>(request: Record<string, unknown>): Promise<T> {
    const result = await this.transport.run(['node', '-e', REVISIONS_PROGRAM], {
      stdin: JSON.stringify({ ...request, stateDir: this.stateDir }),
      timeoutMs: this.timeoutMs,
    });
    try {
      return JSON.parse(result.stdout) as T;
    } catch (cause) {
      throw new RemoteHostError(
        'REMOTE_PROTOCOL',
        this.transport.target.name,
        `unexpected answer from host ${this.transport.target.name} about revisions: ${result.stdout.slice(0, 200)}`,
        { cause },
      );
    }
  }
}
