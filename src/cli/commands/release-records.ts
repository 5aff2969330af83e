/**
 * `slipway release show|download` and `slipway releases`: reading the releases already published,
 * locally or through a server. Loaded only by those commands, so `slipway release` does not load
 * the asset store or the API client.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { exportAssets, parseSums } from '../../release/asset-store.js';
import { listRecords, type ReleaseRecord, readRecord, releaseDir } from '../../release/release-record.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { remoteClient } from '../remote/remote-context.js';
import { releaseProject, stateDirOf } from './release-project.js';

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
