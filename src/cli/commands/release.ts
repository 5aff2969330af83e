/**
 * `slipway release`, `slipway release show|download` and `slipway releases`: versions from the
 * commits since the last release, a changelog, an annotated tag, checksummed assets and a record
 * of the service revisions each release was built from.
 */

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findConfigFile } from '../../config/config-file.js';
import type { ResolvedConfig } from '../../config/resolved.js';
import { exportAssets, parseSums } from '../../release/asset-store.js';
import { ReleaseError } from '../../release/errors.js';
import type { ReleasePlan } from '../../release/plan-release.js';
import { DEFAULT_RELEASE } from '../../release/release-defaults.js';
import { listRecords, type ReleaseRecord, readRecord, releaseDir } from '../../release/release-record.js';
import { systemClock } from '../../rollout/rollout-clock.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { remoteClient } from '../remote/remote-context.js';

// The project's `.slipway` folder (as in ../platform.ts, which would load the whole platform).
const stateDirOf = (projectDir: string) => join(projectDir, '.slipway');

/** Options of `slipway release`. */
export interface ReleaseOptions {
  readonly dryRun?: boolean;
  readonly prerelease?: string;
  readonly package?: string;
}

/** Plans (and without --dry-run publishes) the next release; exit 0 also when there is nothing to release. */
export async function releaseCommand(ctx: CommandContext, options: ReleaseOptions): Promise<number> {
  const { config, projectDir } = await releaseProject(ctx);
  const settings = config?.release ?? DEFAULT_RELEASE;
  const { prepareRelease } = await import('../../release/prepare-release.js');
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

/** `slipway release show TAG`: the notes, assets and revisions of a published release. */
export async function releaseShowCommand(ctx: CommandContext, tag: string): Promise<number> {
  const client = remoteClient(ctx);
  if (client) {
    printRecord(ctx, await client.get<ReleaseRecord>(`/api/v1/releases/${encodeURIComponent(tag)}`));
    return ExitCode.Ok;
  }
  const { projectDir } = await releaseProject(ctx, { config: false });
  printRecord(ctx, readRecord(stateDirOf(projectDir), tag));
  return ExitCode.Ok;
}

/** Prints one release record: the record as JSON, or its header, notes, assets and revisions. */
function printRecord(ctx: CommandContext, record: ReleaseRecord): void {
  if (ctx.output.json) {
    ctx.output.data(record);
    return;
  }
  ctx.output.line(
    `${record.tag}  ${record.version}${record.package ? ` (package ${record.package})` : ''}  published ${record.publishedAt.replace('T', ' ').slice(0, 19)}  commit ${record.commit.slice(0, 8)}`,
  );
  ctx.output.line('');
  ctx.output.line(record.notes.trimEnd());
  ctx.output.line('');
  if (record.assets.length === 0) ctx.output.line('assets: none');
  else {
    ctx.output.line('assets:');
    for (const a of record.assets) ctx.output.line(`  ${a.sha256}  ${a.name}  (${a.size} bytes)`);
  }
  for (const [service, revision] of Object.entries(record.revisions))
    ctx.output.line(`revision: ${service} ${revision}`);
}

/** `slipway release download TAG [--out DIR]`: copies the assets out, checking each against SHA256SUMS. */
export async function releaseDownloadCommand(
  ctx: CommandContext,
  tag: string,
  options: { out?: string },
): Promise<number> {
  const { projectDir } = await releaseProject(ctx, { config: false });
  const stateDir = stateDirOf(projectDir);
  readRecord(stateDir, tag);
  const sumsFile = join(releaseDir(stateDir, tag), 'SHA256SUMS');
  const sums = parseSums(readFileSync(sumsFile, 'utf8'));
  const outDir = resolve(ctx.io.cwd, options.out ?? tag.replaceAll('/', '_'));
  mkdirSync(outDir, { recursive: true });
  const written = exportAssets(stateDir, sums, outDir);
  copyFileSync(sumsFile, join(outDir, 'SHA256SUMS'));
  if (ctx.output.json) ctx.output.data({ tag, out: outDir, assets: written });
  else {
    for (const name of written) ctx.output.line(`${ctx.output.paint('green', 'ok')}  ${name}`);
    ctx.output.line(`${written.length} asset(s) verified and written to ${outDir}`);
  }
  return ExitCode.Ok;
}

/** `slipway releases`: every recorded release, newest first. */
export async function releasesCommand(ctx: CommandContext): Promise<number> {
  const client = remoteClient(ctx);
  if (client) {
    printRecords(ctx, (await client.get<{ releases: ReleaseRecord[] }>('/api/v1/releases')).releases);
    return ExitCode.Ok;
  }
  const { projectDir } = await releaseProject(ctx, { config: false });
  printRecords(ctx, listRecords(stateDirOf(projectDir)));
  return ExitCode.Ok;
}

/** Prints release records, newest first: one JSON array without the notes, or one line each. */
function printRecords(ctx: CommandContext, records: readonly ReleaseRecord[]): void {
  if (ctx.output.json) {
    ctx.output.data(records.map(({ notes: _notes, ...r }) => r));
    return;
  }
  if (records.length === 0) ctx.output.line('no releases yet: `slipway release` makes one');
  for (const r of records) {
    ctx.output.line(
      `${r.tag.padEnd(16)}  ${r.publishedAt.replace('T', ' ').slice(0, 19)}  ${r.commit.slice(0, 8)}  ${String(r.commits).padStart(5)} commit(s)  ${r.assets.length} asset(s)${r.package ? `  package ${r.package}` : ''}`,
    );
  }
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

// The config when there is one (release works without it), and the directory releases live in:
// the config's folder, else the repository root, else the current directory.
async function releaseProject(
  ctx: CommandContext,
  options: { config: boolean } = { config: true },
): Promise<{ config?: ResolvedConfig; projectDir: string }> {
  let hasConfig = true;
  try {
    findConfigFile(ctx.io.cwd, ctx.options.file);
  } catch {
    hasConfig = false;
  }
  if (hasConfig) {
    const { loadProject, projectDirOf } = await import('../project.js');
    if (!options.config) return { projectDir: projectDirOf(ctx) };
    const { config, projectDir } = await loadProject(ctx);
    return { config, projectDir };
  }
  try {
    const root = execFileSync('git', ['rev-parse', '--show-toplevel'], {
      cwd: ctx.io.cwd,
      env: ctx.io.env,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString('utf8')
      .trim();
    return { projectDir: root || ctx.io.cwd };
  } catch {
    if (options.config)
      throw new ReleaseError(
        'NOT_A_GIT_REPO',
        `${ctx.io.cwd} is not in a git repository: releases are made from git history (run \`git init\` and commit first)`,
      );
    return { projectDir: ctx.io.cwd };
  }
}
