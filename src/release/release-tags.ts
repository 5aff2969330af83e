/** Release tags: formatting a version into a tag and reading the version back out of one. */
import semver from 'semver';

/** A git tag as read from the repository. */
export interface GitTag {
  readonly name: string;
  /** The commit the tag points at (peeled). */
  readonly sha: string;
  /** True when the commit is an ancestor of HEAD (or HEAD itself). */
  readonly reachable: boolean;
}

/** A tag that matches the tag format and holds a valid semantic version. */
export interface ReleaseTag extends GitTag {
  readonly version: string;
}

/** The tag of `version` in `format` (`v${version}` -> `v1.2.3`). */
export function formatTag(format: string, version: string): string {
  return format.replace('${version}', version);
}

/** The tags that are releases in `format`; tags that do not match or hold no semver are left out. */
export function releaseTags(tags: readonly GitTag[], format: string): ReleaseTag[] {
  const [prefix = '', suffix = ''] = format.split('${version}');
  const out: ReleaseTag[] = [];
  for (const tag of tags) {
    if (!tag.name.startsWith(prefix) || !tag.name.endsWith(suffix)) continue;
    const text = tag.name.slice(prefix.length, tag.name.length - suffix.length);
    // Strict: `v1.2` or `v01.2.3` is not a release tag, and neither is `api-v1.2.3` for `v${version}`.
    if (semver.valid(text) !== text) continue;
    out.push({ ...tag, version: text });
  }
  return out;
}

/** The highest of `tags` by semver precedence, or undefined. */
export function highest(tags: readonly ReleaseTag[]): ReleaseTag | undefined {
  // Each version parsed once (semver.gt parses both sides on every call): 500 tags are read up to
  // four times per release.
  let best: ReleaseTag | undefined;
  let bestVersion: semver.SemVer | undefined;
  for (const tag of tags) {
    const version = new semver.SemVer(tag.version);
    if (!bestVersion || version.compare(bestVersion) > 0) {
      best = tag;
      bestVersion = version;
    }
  }
  return best;
}

/** The last stable release reachable from HEAD: the base `slipway release` reads commits from. */
export function lastStableRelease(tags: readonly GitTag[], format: string): ReleaseTag | undefined {
  return highest(
    releaseTags(tags, format).filter((t) => t.reachable && semver.prerelease(t.version) === null),
  );
}
