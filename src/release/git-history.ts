/**
 * Reads what a release needs from git besides the commits (./git-log.ts): the repository, its tags
 * and its remote. Output is read as bytes and decoded leniently.
 */
import { execFile } from 'node:child_process';
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

/** A tag and the commit it points at (peeled), before anyone asked whether HEAD contains it. */
export interface TagRef {
  readonly name: string;
  readonly sha: string;
}

/** Every tag of the repository around `cwd` with the commit it points at. */
export async function readTagRefs(cwd: string, env: NodeJS.ProcessEnv): Promise<TagRef[]> {
  const refs = await git(
    cwd,
    ['for-each-ref', '--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)', 'refs/tags'],
    env,
  );
  const tags: TagRef[] = [];
  for (const line of decoder.decode(refs).split('\n')) {
    if (line === '') continue;
    const [name = '', object = '', peeled = ''] = line.split('\0');
    tags.push({ name, sha: peeled || object });
  }
  return tags;
}

/** The names of the tags HEAD contains: git walks the history for it, the slow half of reading tags. */
export async function readMergedTagNames(cwd: string, env: NodeJS.ProcessEnv): Promise<Set<string>> {
  const merged = await git(
    cwd,
    ['for-each-ref', '--merged', 'HEAD', '--format=%(refname:strip=2)', 'refs/tags'],
    env,
  );
  return new Set(decoder.decode(merged).split('\n'));
}

/** Every tag with whether HEAD contains it, as `merged` says. */
export function withReachability(refs: readonly TagRef[], merged: { has(name: string): boolean }): GitTag[] {
  return refs.map((t) => ({ name: t.name, sha: t.sha, reachable: merged.has(t.name) }));
}

/** True when tracked files have uncommitted changes (untracked files do not count). */
export async function isDirty(repo: GitRepo): Promise<boolean> {
  const out = await git(repo.root, ['status', '--porcelain', '--untracked-files=no'], repo.env);
  return out.length > 0;
}

/** The web URL of `origin` of the repository around `cwd` (`git@host:o/r.git` -> `https://host/o/r`), or undefined. */
export async function originWebUrl(cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  let url: string;
  try {
    url = decoder.decode(await git(cwd, ['remote', 'get-url', 'origin'], env)).trim();
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
