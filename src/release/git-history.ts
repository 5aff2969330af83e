/**
 * Reads what a release needs from git: the repository, its tags, and the commits since the last
 * release in one `git log` call. Output is read as bytes and decoded leniently, so commit messages
 * that are not UTF-8 come through with replacement characters instead of failing.
 */
import { execFile, spawn } from 'node:child_process';
import type { RawCommit } from './conventional-commit.js';
import { ReleaseError } from './errors.js';
import type { GitTag } from './release-tags.js';

/** A git working tree a release runs in. */
export interface GitRepo {
  readonly root: string;
  readonly headSha: string;
  readonly shallow: boolean;
  readonly env: NodeJS.ProcessEnv;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Runs git in `cwd`; resolves with stdout as bytes, rejects with a GIT_FAILED ReleaseError. */
export function git(
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['-c', 'core.quotepath=off', ...args],
      { cwd, env, encoding: 'buffer', maxBuffer: 1 << 30 },
      (error, stdout, stderr) => {
        if (error) {
          const text = decoder.decode(stderr).trim() || error.message;
          reject(new ReleaseError('GIT_FAILED', `git ${args[0]} failed: ${text}`, { cause: error }));
        } else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Opens the repository around `cwd`; a missing repository or one without commits is a usage error. */
export async function openRepo(cwd: string, env: NodeJS.ProcessEnv): Promise<GitRepo> {
  let lines: string[];
  try {
    lines = decoder
      .decode(
        await git(cwd, ['rev-parse', '--show-toplevel', '--is-shallow-repository', 'HEAD^{commit}'], env),
      )
      .split('\n');
  } catch (error) {
    // One call answers the usual case; only a failure needs telling "no repository" from "no commits".
    try {
      await git(cwd, ['rev-parse', '--show-toplevel'], env);
    } catch {
      throw new ReleaseError(
        'NOT_A_GIT_REPO',
        `${cwd} is not in a git repository: releases are made from git history (run \`git init\` and commit first)`,
        { cause: error },
      );
    }
    throw new ReleaseError('NO_COMMITS', 'the repository has no commits yet; commit something first', {
      cause: error,
    });
  }
  return {
    root: lines[0]!.trim(),
    shallow: lines[1]?.trim() === 'true',
    headSha: lines[2]?.trim() ?? '',
    env,
  };
}

/** Every tag of the repository with the commit it points at and whether HEAD contains it. */
export async function readTags(repo: GitRepo): Promise<GitTag[]> {
  const [refs, merged] = await Promise.all([
    git(
      repo.root,
      ['for-each-ref', '--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)', 'refs/tags'],
      repo.env,
    ),
    git(
      repo.root,
      ['for-each-ref', '--merged', 'HEAD', '--format=%(refname:strip=2)', 'refs/tags'],
      repo.env,
    ),
  ]);
  const reachable = new Set(decoder.decode(merged).split('\n'));
  const tags: GitTag[] = [];
  for (const line of decoder.decode(refs).split('\n')) {
    if (line === '') continue;
    const [name = '', object = '', peeled = ''] = line.split('\0');
    tags.push({ name, sha: peeled || object, reachable: reachable.has(name) });
  }
  return tags;
}

/**
 * The commits after `sinceSha` (every commit when null) up to HEAD, newest first, only those touching
 * `path` when given, each passed through `map` as soon as git prints it so parsing overlaps reading.
 */
export function readCommits<T>(
  repo: GitRepo,
  sinceSha: string | null,
  path: string | undefined,
  map: (commit: RawCommit) => T,
): Promise<T[]> {
  const range = sinceSha === null ? 'HEAD' : `${sinceSha}..HEAD`;
  const args = ['-c', 'core.quotepath=off', 'log', '-z', '--no-color', LOG_FORMAT, range];
  if (path !== undefined) args.push('--', path);
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: repo.root, env: repo.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: T[] = [];
    // Bytes after the last NUL seen: the start of a record git is still printing.
    let pending: Buffer | null = null;
    let stderr = '';
    let failed: unknown;
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
    child.stdout.on('data', (chunk: Buffer) => {
      if (failed !== undefined) return;
      const end = chunk.lastIndexOf(0);
      if (end === -1) {
        pending = pending === null ? chunk : Buffer.concat([pending, chunk]);
        return;
      }
      const whole =
        pending === null ? chunk.subarray(0, end) : Buffer.concat([pending, chunk.subarray(0, end)]);
      pending = end + 1 < chunk.length ? chunk.subarray(end + 1) : null;
      try {
        take(whole);
      } catch (error) {
        failed = error;
        child.kill();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) =>
      reject(new ReleaseError('GIT_FAILED', `git log failed: ${error.message}`, { cause: error })),
    );
    child.on('close', (code) => {
      if (failed !== undefined) return reject(failed);
      if (code !== 0)
        return reject(new ReleaseError('GIT_FAILED', `git log failed: ${stderr.trim() || `exit ${code}`}`));
      try {
        if (pending !== null) take(pending);
        resolve(out);
      } catch (error) {
        reject(error);
      }
    });
  });
}

const FIELD = '\x1f';
const LOG_FORMAT = `--format=%H${FIELD}%P${FIELD}%an${FIELD}%ae${FIELD}%aI${FIELD}%B`;

function toRawCommit(record: string): RawCommit {
  const fields: string[] = [];
  let at = 0;
  for (let i = 0; i < 5; i++) {
    const end = record.indexOf(FIELD, at);
    fields.push(record.slice(at, end === -1 ? record.length : end));
    at = end === -1 ? record.length : end + 1;
  }
  const [sha = '', parents = '', authorName = '', authorEmail = '', date = ''] = fields;
  return {
    sha: sha.trim(),
    parents: parents === '' ? [] : parents.split(' '),
    authorName,
    authorEmail,
    date,
    message: record.slice(at),
  };
}

/** True when tracked files have uncommitted changes (untracked files do not count). */
export async function isDirty(repo: GitRepo): Promise<boolean> {
  const out = await git(repo.root, ['status', '--porcelain', '--untracked-files=no'], repo.env);
  return out.length > 0;
}

/** The web URL of `origin` (`git@host:o/r.git` -> `https://host/o/r`), or undefined. */
export async function originWebUrl(repo: GitRepo): Promise<string | undefined> {
  let url: string;
  try {
    url = decoder.decode(await git(repo.root, ['remote', 'get-url', 'origin'], repo.env)).trim();
  } catch {
    return undefined;
  }
  return webUrl(url);
}

/** Turns a git remote URL into the repository's web URL, when it has one. */
export function webUrl(remote: string): string | undefined {
  const scp = /^[\w.-]+@([\w.-]+):(.+?)(?:\.git)?\/?$/.exec(remote);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  const url = /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/(.+?)(?:\.git)?\/?$/.exec(remote);
  if (url) return `https://${url[1]}/${url[2]}`;
  return undefined;
}
