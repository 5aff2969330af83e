/** Bump rules: which version part a commit raises, from the configured rules and then the defaults. */
import type { ResolvedReleaseRule } from '../config/resolved.js';
import type { ConventionalCommit } from './conventional-commit.js';

/** How much a commit (or a release) raises the version. */
export type Bump = 'major' | 'minor' | 'patch' | 'none';

const ORDER: Readonly<Record<Bump, number>> = { none: 0, patch: 1, minor: 2, major: 3 };

/** The larger of two bumps. */
export function maxBump(a: Bump, b: Bump): Bump {
  return ORDER[a] >= ORDER[b] ? a : b;
}

/** Options that change the defaults. */
export interface BumpOptions {
  readonly rules: readonly ResolvedReleaseRule[];
  /** True while the current version is 0.x and `preMajor: minor` is set. */
  readonly breakingIsMinor: boolean;
}

/** The bump one commit causes: the first matching configured rule, else the defaults. */
export function bumpOf(commit: ConventionalCommit, options: BumpOptions): Bump {
  let bump: Bump | undefined;
  for (const r of options.rules) {
    if (
      r.breaking === commit.breaking &&
      (r.type === undefined || r.type === commit.type) &&
      (r.scope === undefined || r.scope === commit.scope)
    ) {
      bump = r.bump;
      break;
    }
  }
  bump ??= defaultBump(commit);
  return bump === 'major' && options.breakingIsMinor ? 'minor' : bump;
}

function defaultBump(commit: ConventionalCommit): Bump {
  if (commit.breaking) return 'major';
  switch (commit.type) {
    case 'feat':
      return 'minor';
    case 'fix':
    case 'perf':
    case 'revert':
      return 'patch';
    default:
      return 'none';
  }
}
