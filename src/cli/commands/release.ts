/**
 * `slipway release`, `slipway release show|download` and `slipway releases`: versions from the
 * commits since the last release, a changelog, an annotated tag, checksummed assets and a record
 * of the service revisions each release was built from.
 */

import type { ReleasePlan } from '../../release/plan-release.js';
import { DEFAULT_RELEASE } from '../../release/release-defaults.js';
import { systemClock } from '../../rollout/rollout-clock.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { releaseProject, stateDirOf } from './release-project.js';

/** Options of `slipway release`. */
export interface ReleaseOptions {
  readonly dryRun?: boolean;
  readonly prerelease?: string;
  readonly package?: string;
}

/** Plans (and without --dry-run publishes) the next release; exit 0 also when there is nothing to release. */
export async function releaseCommand(ctx: CommandContext, options: ReleaseOptions): Promise<number> {
  // The release code loads while git finds the project.
  const [{ config, projectDir }, { prepareRelease }] = await Promise.all([
    releaseProject(ctx),
    import('../../release/prepare-release.js'),
  ]);
  const settings = config?.release ?? DEFAULT_RELEASE;
  const prepared = await prepareRelease({
    projectDir,
    env: ctx.io.env,
    settings,
    ...(options.prerelease !== undefined ? { prerelease: options.prerelease } : {}),
    ...(options.package !== undefined ? { package: options.package } : {}),
  });
  const { plan, notes } = prepared;
  for (const warning of prepared.warnings) ctx.output.error(`slipway: warning: ${warning}`);
  const document = planDocument(plan, notes);

  if (plan.next === null || options.dryRun) {
    if (ctx.output.json) ctx.output.data(document);
    else printPlan(ctx, plan, notes, options.dryRun === true);
    return ExitCode.Ok;
  }

  const { applyRelease, checkReleasable } = await import('../../release/apply-release.js');
  await checkReleasable(prepared);
  const stateDir = stateDirOf(projectDir);
  const { actorOf, openProjectStore } = await import('../project.js');
  const { localPlatform } = await import('../platform.js');
  const store = await openProjectStore(ctx, projectDir);
  try {
    const applied = await applyRelease(prepared, {
      store,
      clock: systemClock(),
      actor: actorOf(ctx),
      platform: localPlatform(ctx, projectDir),
      stateDir,
      projectDir,
      services: config?.services ?? {},
      assets: settings.assets,
    });
    for (const warning of applied.warnings) ctx.output.error(`slipway: warning: ${warning}`);
    const { record } = applied;
    if (ctx.output.json) {
      ctx.output.data({
        ...document,
        published: true,
        commit: record.commit,
        assets: record.assets,
        revisions: record.revisions,
      });
      return ExitCode.Ok;
    }
    ctx.output.line(
      `${ctx.output.paint('green', 'released')} ${record.version} (${plan.bump ?? 'first release'}) as ${record.tag} at ${record.commit.slice(0, 8)}`,
    );
    ctx.output.line(`changelog: ${applied.changelog}`);
    if (record.assets.length > 0)
      ctx.output.line(`assets:    ${record.assets.map((a) => a.name).join(', ')} (SHA256SUMS written)`);
    for (const [service, revision] of Object.entries(record.revisions))
      ctx.output.line(`revision:  ${service} ${revision}`);
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

// Reading published releases lives in ./release-records.ts, loaded only when one of these runs:
// with its asset store, semver and API client, the release command took 13 ms to load instead of 4.

/** `slipway release show TAG`: the notes, assets and revisions of a published release. */
export async function releaseShowCommand(ctx: CommandContext, tag: string): Promise<number> {
  return (await import('./release-records.js')).releaseShowCommand(ctx, tag);
}

/** `slipway release download TAG [--out DIR]`: copies the assets out, checking each against SHA256SUMS. */
export async function releaseDownloadCommand(
  ctx: CommandContext,
  tag: string,
  options: { out?: string },
): Promise<number> {
  return (await import('./release-records.js')).releaseDownloadCommand(ctx, tag, options);
}

/** `slipway releases`: every recorded release, newest first. */
export async function releasesCommand(ctx: CommandContext): Promise<number> {
  return (await import('./release-records.js')).releasesCommand(ctx);
}

/** The JSON document of a plan. */
function planDocument(plan: ReleasePlan, notes: string) {
  return {
    previous: plan.previous?.version ?? null,
    next: plan.next,
    bump: plan.bump,
    tag: plan.tag,
    package: plan.package,
    commits: plan.commits.map((c) => ({
      sha: c.sha,
      type: c.type,
      scope: c.scope,
      subject: c.subject,
      breaking: c.breaking,
    })),
    notes,
  };
}

function printPlan(ctx: CommandContext, plan: ReleasePlan, notes: string, dryRun: boolean): void {
  const since = plan.previous ? `${plan.previous.tag}` : 'the first commit';
  if (plan.next === null) {
    ctx.output.line(
      plan.commits.length === 0
        ? `nothing to release: no commits since ${since}`
        : `nothing to release: none of the ${plan.commits.length} commit(s) since ${since} is a feature, fix, performance change, revert or breaking change`,
    );
    return;
  }
  ctx.output.line(`previous: ${plan.previous ? `${plan.previous.version} (${plan.previous.tag})` : 'none'}`);
  ctx.output.line(`next:     ${plan.next} (${plan.bump ?? 'first release'}), tag ${plan.tag}`);
  ctx.output.line(
    `commits:  ${plan.commits.length}${plan.ignored.length > 0 ? ` (${plan.ignored.length} ignored: skipped, reverted or merges)` : ''}`,
  );
  ctx.output.line('');
  ctx.output.line(notes.trimEnd());
  if (dryRun) {
    ctx.output.line('');
    ctx.output.line('dry run: nothing was changed');
  }
}
