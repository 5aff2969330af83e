/**
 * The release executor: with a planned release, prepends the changelog and commits it, creates
 * the annotated tag, stores the assets and the service revisions, writes the release record and
 * appends the `release.published` event. Each step reports how it went.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { glob } from 'tinyglobby';
import type { ResolvedService } from '../config/resolved.js';
import type { Platform } from '../platform/platform.js';
import type { Clock, Store } from '../store/store.js';
import { type AssetEntry, storeAssets } from './asset-store.js';
import { prependChangelog, renderChangelogSection } from './changelog.js';
import { ReleaseError } from './errors.js';
import { git, isDirty } from './git-history.js';
import type { PreparedRelease } from './prepare-release.js';
import { type ReleaseRecord, writeRecord } from './release-record.js';

/** What the executor writes to and with. */
export interface ApplyDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly actor: string;
  /** Where the services' revisions are made and pinned. */
  readonly platform: Pick<Platform, 'createRevision' | 'pinRevision'>;
  /** The project's `.slipway` folder (release records and assets). */
  readonly stateDir: string;
  readonly projectDir: string;
  /** Services whose revision is recorded with the release. */
  readonly services: Readonly<Record<string, ResolvedService>>;
  /** Glob patterns of asset files, relative to the project directory. */
  readonly assets: readonly string[];
}

/** A published release and what was done for it. */
export interface AppliedRelease {
  readonly record: ReleaseRecord;
  readonly changelog: string;
  readonly releaseCommit: string;
  readonly warnings: readonly string[];
}

/** Checks a real release may run: a clean worktree and a tag that does not exist yet. */
export async function checkReleasable(prepared: PreparedRelease): Promise<void> {
  if (await isDirty(prepared.repo)) {
    throw new ReleaseError(
      'DIRTY_WORKTREE',
      'the working tree has uncommitted changes; commit or stash them first (a release tags exactly what is committed). `slipway release --dry-run` works on a dirty tree.',
    );
  }
  const { tag } = prepared.plan;
  if (tag === null) return;
  try {
    await git(prepared.repo.root, ['rev-parse', '-q', '--verify', `refs/tags/${tag}`], prepared.repo.env);
  } catch {
    return;
  }
  throw new ReleaseError('TAG_EXISTS', `tag ${tag} already exists; delete it or release from a newer commit`);
}

/** Publishes a planned release (the plan must have a `next` version). */
export async function applyRelease(prepared: PreparedRelease, deps: ApplyDeps): Promise<AppliedRelease> {
  const { plan, repo } = prepared;
  if (plan.next === null || plan.tag === null) throw new Error('applyRelease: the plan has no release');
  await checkReleasable(prepared);
  const warnings: string[] = [];
  const now = new Date(deps.clock.now());

  const section = renderChangelogSection(plan, now.toISOString().slice(0, 10), prepared.render);
  const existing = existsSync(prepared.changelogPath)
    ? readFileSync(prepared.changelogPath, 'utf8')
    : undefined;
  try {
    writeFileSync(prepared.changelogPath, prependChangelog(existing, section));
  } catch (error) {
    throw new ReleaseError(
      'WRITE_FAILED',
      `cannot write ${prepared.changelogPath}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const changelogInRepo = relative(repo.root, prepared.changelogPath).split('\\').join('/');
  const what = plan.package ? `${plan.package} ${plan.next}` : plan.next;
  await git(repo.root, ['add', '--', changelogInRepo], repo.env);
  await git(repo.root, ['commit', '-q', '-m', `chore(release): ${what}`, '--', changelogInRepo], repo.env);
  const releaseCommit = (await git(repo.root, ['rev-parse', 'HEAD'], repo.env)).toString('utf8').trim();
  await git(
    repo.root,
    ['tag', '-a', '--cleanup=verbatim', plan.tag, '-F', '-', releaseCommit],
    repo.env,
    `${plan.tag}\n\n${prepared.notes}`,
  );

  const assets = await collectAssets(deps, warnings);
  const revisions: Record<string, string> = {};
  for (const [id, service] of Object.entries(deps.services)) {
    try {
      const revision = await deps.platform.createRevision({ service, baseDir: deps.projectDir });
      revisions[id] = revision.id;
      // A release can be rolled back to by name, so its revision is never pruned.
      await deps.platform.pinRevision(revision.service, revision.id, `release ${plan.tag}`);
    } catch (error) {
      warnings.push(`no revision recorded for service ${id}: ${(error as Error).message}`);
    }
  }
  const record: ReleaseRecord = {
    tag: plan.tag,
    version: plan.next,
    package: plan.package,
    previous: plan.previous?.version ?? null,
    bump: plan.bump,
    commit: releaseCommit,
    publishedAt: now.toISOString(),
    commits: plan.commits.length,
    notes: prepared.notes,
    assets,
    revisions,
  };
  writeRecord(deps.stateDir, record);
  await deps.store.appendEvent({
    type: 'release.published',
    actor: deps.actor,
    time: now.getTime(),
    commitSha: releaseCommit,
    subject: plan.tag,
    data: {
      version: plan.next,
      tag: plan.tag,
      package: plan.package,
      previous: record.previous,
      bump: plan.bump,
      commits: plan.commits.length,
      assets: assets.map((a) => ({ name: a.name, sha256: a.sha256, size: a.size })),
      revisions,
    },
  });
  return { record, changelog: prepared.changelogPath, releaseCommit, warnings };
}

async function collectAssets(deps: ApplyDeps, warnings: string[]): Promise<AssetEntry[]> {
  if (deps.assets.length === 0) return [];
  const files: string[] = [];
  for (const pattern of deps.assets) {
    const matched = await glob(pattern, {
      cwd: deps.projectDir,
      onlyFiles: true,
      absolute: true,
      dot: false,
    });
    if (matched.length === 0) warnings.push(`asset pattern ${pattern} matched no file`);
    files.push(...matched.sort());
  }
  const unique = [...new Set(files)];
  const names = unique.map((f) => basename(f));
  const clash = (name: string) => names.filter((n) => n === name).length > 1;
  return storeAssets(
    deps.stateDir,
    unique.map((path, i) => ({
      name: clash(names[i]!) ? relative(deps.projectDir, path).split('\\').join('/') : names[i]!,
      path,
    })),
  );
}
