/**
 * The release settings of a project without a `release:` section (or without slipway.yaml), as
 * plain data so `slipway release` needs no schema library at start. A test keeps it equal to
 * what the schema resolves an absent section to.
 */
import type { ResolvedRelease } from '../config/resolved.js';

/** `resolveRelease(undefined)`, spelled out. */
export const DEFAULT_RELEASE: ResolvedRelease = {
  tagFormat: 'v${version}',
  initialVersion: '1.0.0',
  preMajor: 'major',
  rules: [],
  packages: [],
  assets: [],
  changelog: { path: 'CHANGELOG.md', others: false },
};
