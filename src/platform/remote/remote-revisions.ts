/**
 * Revisions on a host reached over SSH. A revision is built locally (revisions.ts, so its id is the
 * one a single host would give it), shipped content-addressed into `<dir>/revisions/<digest>/`, and
 * `<dir>/state/revisions/<service>/<id>` is pointed at that tree (a symlink renamed into place), where
 * the host's agent finds manifest.json and source/. Shipped trees are shared and never written to:
 * a pin is kept beside them, in `<dir>/state/pins/<service>/<id>`. Everything goes over SSH, one
 * command per question: pointing a revision and pruning the old ones is one Node.js run.
 */
import { posix } from 'node:path';
import { KEPT_REVISIONS, type RevisionManifest } from '../local/revisions.js';
import type { StoredRevision } from '../platform.js';
import type { SshTransport } from '../ssh/ssh-transport.js';
import { RemoteHostError } from './remote-errors.js';

/**
 * A Node.js program (run as `node -e`, a JSON request on stdin) that reads, pins and places the
 * revisions of a service under a state directory; it prints one JSON answer. `place` answers
 * as `find` does for a revision the host has; else it points `revisions/<service>/<id>` at a
 * complete shipped tree (a fresh symlink renamed over it), then unlinks all but the `keep` newest
 * revisions, never one in use or pinned.
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
  } else if (q.op === 'place' && manifest(q.id)) {
    answer = { manifest: manifest(q.id), pinned: pinned(q.id) };
  } else if (q.op === 'place' && !fs.existsSync(path.join(q.tree, '.complete'))) {
    answer = { incomplete: q.tree };
  } else if (q.op === 'place') {
    process.umask(0o077);
    fs.mkdirSync(path.dirname(dir(q.id)), { recursive: true, mode: 0o700 });
    const t = path.join(path.dirname(dir(q.id)), '.' + q.id + '.' + process.pid);
    fs.rmSync(t, { force: true });
    fs.symlinkSync(q.tree, t);
    fs.renameSync(t, dir(q.id));
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
    return answer.manifest ? storedOf(answer.manifest, answer.pinned) : undefined;
  }

  /** Pins a revision the host has; false when it has no such revision. */
  async pin(service: string, id: string, reason: string): Promise<boolean> {
    const answer = await this.ask<{ notFound?: boolean }>({ op: 'pin', service, id, reason });
    return answer.notFound !== true;
  }

  /**
   * The revision as the host has it when it has it (nothing else done); else points the host's
   * revision `id` at the shipped tree `digest` and unlinks all but the newest revisions of the
   * service, never one in use or pinned, returning the ids unlinked. One command either way.
   */
  async place(
    service: string,
    id: string,
    digest: string,
    inUse: ReadonlySet<string>,
    keep = KEPT_REVISIONS,
  ): Promise<{ readonly found: StoredRevision } | { readonly removed: readonly string[] }> {
    const tree = posix.join(this.dir, 'revisions', digest);
    const answer = await this.ask<{
      manifest?: RevisionManifest;
      pinned?: string;
      removed?: string[];
      incomplete?: string;
    }>({ op: 'place', service, id, tree, inUse: [...inUse, id], keep });
    if (answer.manifest) return { found: storedOf(answer.manifest, answer.pinned) };
    if (answer.incomplete !== undefined)
      throw new RemoteHostError(
        'REMOTE_PROTOCOL',
        this.transport.target.name,
        `revision ${digest} is not complete under ${this.dir} on host ${this.transport.target.name}`,
      );
    return { removed: answer.removed ?? [] };
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

/** A manifest as the platform reports it: without its config, with its pin. */
function storedOf(manifest: RevisionManifest, pinned: string | undefined): StoredRevision {
  const { config: _config, ...revision } = manifest;
  return pinned === undefined ? revision : { ...revision, pinned };
}
