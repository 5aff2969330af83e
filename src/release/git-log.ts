/**
 * The commits since the last release in one `git log` call, each parsed while git is still printing
 * the rest. Output is read as bytes and decoded leniently, so commit messages that are not UTF-8
 * come through with replacement characters instead of failing.
 */
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawCommit } from './conventional-commit.js';
import { ReleaseError } from './errors.js';
import type { GitRepo } from './git-history.js';

const decoder = new TextDecoder('utf-8', { fatal: false });

// git writes into a temporary file that is read as it grows, every POLL_MS. Through a pipe, git
// waits whenever the 64 KiB pipe is full and Node wakes up for every 4 KiB git writes: on 49,000
// commits (8 MB) reading the pipe took 75 ms of CPU against 15 ms for the file (bench:release).
const POLL_MS = 5;
// Output is parsed in batches of at least this many bytes, each decoded into one string that the
// commits' fields are slices of. At 256 KiB that string is one of V8's large objects, which the
// garbage collector moves without copying; parsed as 4 KiB strings, which it copies, reading and
// parsing 49,000 commits took 248 ms of CPU instead of 229.
const BATCH = 256 * 1024;
const FIELD = '\x1f';
const LOG_FORMAT = `--format=%H${FIELD}%P${FIELD}%an${FIELD}%ae${FIELD}%aI${FIELD}%B`;

/**
 * The commits after `sinceSha` (every commit when null) up to HEAD, newest first, only those touching
 * `path` when given, each passed through `map` as soon as git prints it so parsing overlaps reading.
 * Aborting `signal` stops git and rejects.
 */
export function readCommits<T>(
  repo: GitRepo,
  sinceSha: string | null,
  path: string | undefined,
  map: (commit: RawCommit) => T,
  signal?: AbortSignal,
): Promise<T[]> {
  const range = sinceSha === null ? 'HEAD' : `${sinceSha}..HEAD`;
  const args = ['-c', 'core.quotepath=off', 'log', '-z', '--no-color', LOG_FORMAT, range];
  if (path !== undefined) args.push('--', path);
  let dir: string;
  let fd: number;
  try {
    dir = mkdtempSync(join(tmpdir(), 'slipway-git-log-'));
    fd = openSync(join(dir, 'log'), 'w+');
  } catch (error) {
    return Promise.reject(
      new ReleaseError('GIT_FAILED', `git log failed: no temporary file for its output: ${error}`, {
        cause: error,
      }),
    );
  }
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: repo.root,
      env: repo.env,
      stdio: ['ignore', fd, 'pipe'],
      ...(signal ? { signal } : {}),
    });
    const out: T[] = [];
    let offset = 0;
    // Bytes read but not parsed yet: whole records are parsed once BATCH bytes have come.
    let parts: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failed: unknown;
    let timer: NodeJS.Timeout | undefined;

    // NUL is found in the bytes, so only whole records are decoded and no string is built twice.
    const take = (bytes: Buffer) => {
      const text = decoder.decode(bytes);
      let at = 0;
      for (let end = text.indexOf('\0'); end !== -1; end = text.indexOf('\0', at)) {
        if (end > at) out.push(map(toRawCommit(text.slice(at, end))));
        at = end + 1;
      }
      if (at < text.length) out.push(map(toRawCommit(text.slice(at))));
    };
    // Reads what git has written since the last call; parses the whole records among it once there
    // are BATCH bytes, or everything when git is done.
    const poll = (last: boolean) => {
      const end = fstatSync(fd).size;
      if (end > offset) {
        const chunk = Buffer.allocUnsafe(end - offset);
        let filled = 0;
        while (filled < chunk.length) {
          const n = readSync(fd, chunk, filled, chunk.length - filled, offset + filled);
          if (n === 0) break;
          filled += n;
        }
        offset += filled;
        parts.push(filled === chunk.length ? chunk : chunk.subarray(0, filled));
        size += filled;
      }
      if (size === 0 || (!last && size < BATCH)) return;
      const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
      const cut = last ? all.length : all.lastIndexOf(0);
      if (cut === -1) {
        parts = [all];
        return;
      }
      const rest = all.subarray(cut + 1);
      parts = rest.length > 0 ? [rest] : [];
      size = rest.length;
      take(all.subarray(0, cut));
    };
    const tick = () => {
      if (signal?.aborted) return;
      try {
        poll(false);
        timer = setTimeout(tick, POLL_MS);
      } catch (error) {
        failed = error;
        child.kill();
      }
    };
    timer = setTimeout(tick, POLL_MS);

    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => {
      failed ??= new ReleaseError('GIT_FAILED', `git log failed: ${error.message}`, { cause: error });
    });
    // Only once git has exited is the file complete, and removing it safe everywhere.
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        if (signal?.aborted) throw signal.reason;
        if (failed !== undefined) throw failed;
        if (code !== 0)
          throw new ReleaseError('GIT_FAILED', `git log failed: ${stderr.trim() || `exit ${code}`}`);
        poll(true);
        resolve(out);
      } catch (error) {
        reject(error);
      } finally {
        closeSync(fd);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

// Five separators, found one after the other; a missing one leaves the fields after it empty.
function toRawCommit(record: string): RawCommit {
  const a = record.indexOf(FIELD);
  const b = next(record, a);
  const c = next(record, b);
  const d = next(record, c);
  const e = next(record, d);
  const parents = field(record, a, b);
  return {
    sha: (a === -1 ? record : record.slice(0, a)).trim(),
    parents: parents === '' ? [] : parents.split(' '),
    authorName: field(record, b, c),
    authorEmail: field(record, c, d),
    date: field(record, d, e),
    message: e === -1 ? '' : record.slice(e + 1),
  };
}

function next(record: string, separator: number): number {
  return separator === -1 ? -1 : record.indexOf(FIELD, separator + 1);
}

// The text between two separators (to the end when the second is missing); '' after a missing one.
function field(record: string, from: number, to: number): string {
  if (from === -1) return '';
  return record.slice(from + 1, to === -1 ? record.length : to);
}
