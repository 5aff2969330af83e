/**
 * Configuration versions of a service in an environment: the settings each deployed revision
 * carried (environment variables, secret names with the versions of their values), collapsed to
 * the changes, with what changed from one to the next. Pure: the front ends read the rollouts.
 */

/** A revision's settings: env values (config, shown) and secret versions (keyed fingerprints, never values). */
export interface RevisionSettings {
  readonly env: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
}

/** One key's change: `from` absent when added, `to` absent when removed. */
export interface SettingChange {
  readonly key: string;
  readonly from?: string;
  readonly to?: string;
}

/** What changed between two versions: env values, and secrets by version. */
export interface SettingsDiff {
  readonly env: readonly SettingChange[];
  readonly secrets: readonly SettingChange[];
}

/** A completed deploy of a revision, with its settings when they are known. */
export interface SettingsDeploy {
  readonly revision: string;
  readonly at: number;
  readonly actor: string;
  readonly settings?: RevisionSettings;
}

/** A configuration version: the deploy that first brought these settings, and the diff to the version before. */
export interface ConfigVersion {
  readonly revision: string;
  readonly deployedAt: number;
  readonly actor: string;
  readonly settings: RevisionSettings;
  /** Against the version before; absent for the first version known. */
  readonly diff?: SettingsDiff;
}

function diffMaps(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): SettingChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: SettingChange[] = [];
  for (const key of keys) {
    const from = before[key];
    const to = after[key];
    if (from === to) continue;
    changes.push({ key, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  }
  return changes;
}

/** The keys added, removed and changed from `before` to `after`. */
export function diffSettings(before: RevisionSettings, after: RevisionSettings): SettingsDiff {
  return { env: diffMaps(before.env, after.env), secrets: diffMaps(before.secrets, after.secrets) };
}

/** Whether two settings are the same version. */
export function sameSettings(a: RevisionSettings, b: RevisionSettings): boolean {
  const diff = diffSettings(a, b);
  return diff.env.length === 0 && diff.secrets.length === 0;
}

/**
 * The versions, newest first, of deploys given newest first: a deploy whose settings equal those
 * of the deploy before it (a code change only) starts no version; one with unknown settings is
 * left out.
 */
export function configVersions(deploys: readonly SettingsDeploy[]): ConfigVersion[] {
  const versions: ConfigVersion[] = [];
  for (const deploy of [...deploys].reverse()) {
    const { settings } = deploy;
    if (!settings) continue;
    const last = versions.at(-1);
    if (last && sameSettings(last.settings, settings)) continue;
    versions.push({
      revision: deploy.revision,
      deployedAt: deploy.at,
      actor: deploy.actor,
      settings,
      ...(last ? { diff: diffSettings(last.settings, settings) } : {}),
    });
  }
  return versions.reverse();
}

/**
 * The settings a config-only rollback goes back to: the version before the newest one equal to
 * `current` (or, when `current` is no version, the newest that differs from it).
 */
export function previousSettings(
  versions: readonly ConfigVersion[],
  current: RevisionSettings,
): ConfigVersion | undefined {
  const at = versions.findIndex((v) => sameSettings(v.settings, current));
  return versions.slice(at + 1).find((v) => !sameSettings(v.settings, current));
}
