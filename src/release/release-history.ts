/**
 * Reads what a release plan needs from git, overlapping the calls: the tags, which of them HEAD
 * contains, and the commits since the last stable release.
 */
import type { RawCommit } from './conventional-commit.js';
import { ReleaseError } from './errors.js';
import { type GitRepo, openRepo, readMergedTagNames, readTagRefs, withReachability } from './git-history.js';
import { readCommits } from './git-log.js';
import { type GitTag, lastStableRelease, type ReleaseTag } from './release-tags.js';

/** The repository, its tags, the last stable release and the commits since it (newest first). */
export interface ReleaseHistory<T> {
  readonly repo: GitRepo;
  readonly tags: readonly GitTag[];
  readonly base: ReleaseTag | undefined;
  readonly commits: T[];
}

/** What to read: where, the tag format, the path commits must touch (from the repository root), and how to map each commit. */
export interface HistoryRequest<T> {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly tagFormat: string;
  readonly pathOf: (repo: GitRepo) => string | undefined;
  readonly map: (commit: RawCommit) => T;
}

/**
 * Reads the history of a release. Which tags HEAD contains takes git a walk of the history
 * (`for-each-ref --merged`, 30 ms on 50,000 commits), so the commits are read meanwhile from the
 * newest stable tag, the base whenever HEAD contains it; when it does not, that read is stopped and
 * the commits are read again from the real base. Errors come in the order the calls would make them
 * one after the other: no repository, shallow clone, then git log.
 */
export async function readReleaseHistory<T>(request: HistoryRequest<T>): Promise<ReleaseHistory<T>> {
  const { cwd, env, tagFormat } = request;
  const opening = openRepo(cwd, env);
  const refsRead = readTagRefs(cwd, env);
  const mergedRead = readMergedTagNames(cwd, env);
  // Their failures are only reported once the repository is known to open.
  refsRead.catch(() => undefined);
  mergedRead.catch(() => undefined);
  const repo = await opening;
  const refs = await refsRead;
  const path = request.pathOf(repo);
  const guess = lastStableRelease(withReachability(refs, ALL), tagFormat);
  const speculation = new AbortController();
  // With no release tag at all the guess (the whole history) cannot be wrong.
  const early = repo.shallow
    ? undefined
    : readCommits(repo, guess?.sha ?? null, path, request.map, speculation.signal);
  early?.catch(() => undefined);
  let tags: GitTag[];
  try {
    tags = withReachability(refs, await mergedRead);
  } catch (error) {
    speculation.abort();
    throw error;
  }
  const base = lastStableRelease(tags, tagFormat);
  if (repo.shallow && !base) {
    throw new ReleaseError(
      'SHALLOW_CLONE',
      `this is a shallow clone and no release tag (${tagFormat}) is in the history it has, so the commits since the last release cannot be read; fetch the full history with \`git fetch --unshallow --tags\` (in CI, clone with full depth, e.g. actions/checkout's fetch-depth: 0)`,
    );
  }
  if (early && base?.sha === guess?.sha) return { repo, tags, base, commits: await early };
  speculation.abort();
  return { repo, tags, base, commits: await readCommits(repo, base?.sha ?? null, path, request.map) };
}

// "HEAD contains every tag": the guess made before git has said which it contains.
const ALL = { has: () => true };
