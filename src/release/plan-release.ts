/**
 * The pure release planner: commits since the last release and the repository's tags in, the
 * next version, its tag and the commits that make it out. No git, no files.
 */
import semver from 'semver';
import type { ResolvedRelease } from '../config/resolved.js';
import { type Bump, bumpOf, maxBump } from './bump.js';
import type { ConventionalCommit } from './conventional-commit.js';
import { formatTag, type GitTag, highest, lastStableRelease, releaseTags } from './release-tags.js';

/** A commit that is part of the release, with the bump it causes. */
export interface PlannedCommit extends ConventionalCommit {
  readonly bump: Bump;
}

/** A commit in range that does not count, and why. */
export interface IgnoredCommit {
  readonly sha: string;
  readonly reason: 'skip-release' | 'reverted' | 'revert-of-in-range' | 'merge';
}

/** What a release would do. `next` is null when nothing warrants a release. */
export interface ReleasePlan {
  readonly package: string | null;
  readonly previous: { readonly version: string; readonly tag: string; readonly sha: string } | null;
  readonly next: string | null;
  readonly tag: string | null;
  readonly bump: Exclude<Bump, 'none'> | null;
  /** Newest first. */
  readonly commits: readonly PlannedCommit[];
  readonly ignored: readonly IgnoredCommit[];
  readonly warnings: readonly string[];
}

/** What the planner needs from the config and the command line. */
export interface PlanOptions {
  readonly settings: Pick<ResolvedRelease, 'initialVersion' | 'preMajor' | 'rules'>;
  readonly tagFormat: string;
  readonly headSha: string;
  /** A prerelease id such as `rc`. */
  readonly prerelease?: string;
  readonly package?: string;
}

/**
 * Plans a release. `commits` are the parsed commits after the last stable release tag (as `git log`
 * lists them, newest first); `tags` are every tag of the repository.
 */
export function planRelease(
  commits: readonly ConventionalCommit[],
  tags: readonly GitTag[],
  options: PlanOptions,
): ReleasePlan {
  const warnings: string[] = [];
  const all = releaseTags(tags, options.tagFormat);
  const stable = lastStableRelease(tags, options.tagFormat);
  const latest = highest(all.filter((t) => t.reachable));
  const { included, ignored } = selectCommits(commits);

  const breakingIsMinor =
    options.settings.preMajor === 'minor' && (stable ? semver.major(stable.version) === 0 : false);
  const bumpOptions = { rules: options.settings.rules, breakingIsMinor };
  const planned = included.map((c) => withBump(c, bumpOf(c, bumpOptions)));
  const bump = planned.reduce<Bump>((acc, c) => maxBump(acc, c.bump), 'none');

  let target: string | null = null;
  const releaseAs = planned.find((c) => c.releaseAs !== null)?.releaseAs ?? null;
  if (releaseAs !== null && semver.valid(releaseAs) !== null) {
    const wanted = semver.valid(releaseAs)!;
    if (stable && !semver.gt(wanted, stable.version))
      warnings.push(`Release-As: ${releaseAs} is not above ${stable.version}; ignored`);
    else target = wanted;
  } else if (releaseAs !== null) {
    warnings.push(`Release-As: ${releaseAs} is not a semantic version; ignored`);
  }
  if (target === null && planned.length > 0) {
    if (!stable) target = options.settings.initialVersion;
    else if (bump !== 'none') target = semver.inc(stable.version, bump);
  }

  let next = target;
  if (target !== null && options.prerelease !== undefined) {
    const id = options.prerelease;
    const line = all.filter((t) => {
      const pre = semver.prerelease(t.version);
      return pre !== null && pre[0] === id && semver.coerce(t.version)?.version === target;
    });
    const numbers = line.map((t) => Number(semver.prerelease(t.version)?.[1] ?? 0));
    const atHead = line.some((t) => t.sha === options.headSha);
    next = atHead ? null : `${target}-${id}.${Math.max(0, ...numbers) + 1}`;
  }
  if (next !== null && all.some((t) => t.version === next))
    warnings.push(`tag ${formatTag(options.tagFormat, next)} already exists`);

  const previousTag = options.prerelease !== undefined ? latest : stable;
  return {
    package: options.package ?? null,
    previous: previousTag
      ? { version: previousTag.version, tag: previousTag.name, sha: previousTag.sha }
      : null,
    next,
    tag: next === null ? null : formatTag(options.tagFormat, next),
    bump: next === null ? null : releaseBump(stable?.version ?? null, next, bump),
    commits: planned,
    ignored,
    warnings,
  };
}

// A revert and the commit it reverts cancel out when both are in range. Newest first, so a revert
// of a revert cancels that revert and the original change stays.
function selectCommits(parsed: readonly ConventionalCommit[]): {
  included: ConventionalCommit[];
  ignored: IgnoredCommit[];
} {
  const ignored: IgnoredCommit[] = [];
  const cancelled = new Set<string>();
  const candidates: ConventionalCommit[] = [];
  for (const c of parsed) {
    if (c.skip) ignored.push({ sha: c.sha, reason: 'skip-release' });
    else candidates.push(c);
  }
  const included: ConventionalCommit[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    if (cancelled.size > 0 && cancelled.has(c.sha)) {
      ignored.push({ sha: c.sha, reason: 'reverted' });
      continue;
    }
    if (c.revert) {
      const target = findReverted(candidates, i + 1, c.revert);
      if (target && !cancelled.has(target.sha)) {
        cancelled.add(target.sha);
        ignored.push({ sha: c.sha, reason: 'revert-of-in-range' });
        continue;
      }
    }
    if (c.type === 'merge') {
      ignored.push({ sha: c.sha, reason: 'merge' });
      continue;
    }
    included.push(c);
  }
  return { included, ignored };
}

// The older commit (from index `from` on) a revert names: by sha prefix, else by header.
function findReverted(
  candidates: readonly ConventionalCommit[],
  from: number,
  revert: NonNullable<ConventionalCommit['revert']>,
): ConventionalCommit | undefined {
  const { sha, header } = revert;
  for (let i = from; i < candidates.length; i++) {
    const o = candidates[i]!;
    if (sha !== null ? o.sha.startsWith(sha) : header !== null && headerOf(o) === header) return o;
  }
  return undefined;
}

function headerOf(c: ConventionalCommit): string {
  if (c.type === 'other' || c.type === 'merge') return c.subject;
  return `${c.type}${c.scope ? `(${c.scope})` : ''}${c.breaking && c.breakingNotes[0] === c.subject ? '!' : ''}: ${c.subject}`;
}

function releaseBump(previous: string | null, next: string, commitBump: Bump): Exclude<Bump, 'none'> | null {
  if (previous === null) return commitBump === 'none' ? null : commitBump;
  const diff = semver.diff(previous, semver.coerce(next)?.version ?? next);
  if (diff === 'major' || diff === 'premajor') return 'major';
  if (diff === 'minor' || diff === 'preminor') return 'minor';
  if (diff === null) return commitBump === 'none' ? null : commitBump;
  return 'patch';
}

// Spelled out rather than spread: tens of thousands of these are made on a big history.
function withBump(c: ConventionalCommit, bump: Bump): PlannedCommit {
  return {
    sha: c.sha,
    author: c.author,
    date: c.date,
    type: c.type,
    scope: c.scope,
    subject: c.subject,
    body: c.body,
    footers: c.footers,
    breaking: c.breaking,
    breakingNotes: c.breakingNotes,
    refs: c.refs,
    releaseAs: c.releaseAs,
    revert: c.revert,
    merge: c.merge,
    skip: c.skip,
    bump,
  };
}
