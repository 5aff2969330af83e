/**
 * Reads the repository and plans a release: the package and tag format to use, the last release
 * tag, the commits since it, and the notes. Changes nothing; `applyRelease` does the writing.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { ResolvedRelease } from '../config/resolved.js';
import type { RenderOptions } from './changelog.js';
import { commitParser } from './conventional-commit.js';
import { ReleaseError } from './errors.js';
import { type GitRepo, originWebUrl } from './git-history.js';
import { planRelease, type ReleasePlan } from './plan-release.js';
import { readReleaseHistory } from './release-history.js';
import { builtInSummary, renderNotes } from './release-notes.js';
import { runSummarizer } from './summarize-command.js';

/** What `slipway release` was asked for. */
export interface ReleaseRequest {
  /** The project directory: the config file's folder, or where the command runs. */
  readonly projectDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly settings: ResolvedRelease;
  readonly prerelease?: string;
  readonly package?: string;
}

/** A planned release with everything the executor needs. */
export interface PreparedRelease {
  readonly repo: GitRepo;
  readonly plan: ReleasePlan;
  readonly notes: string;
  readonly render: RenderOptions;
  /** Absolute path of the changelog to prepend to. */
  readonly changelogPath: string;
  readonly warnings: readonly string[];
}

/** Reads git and plans the release; bad input (no repository, shallow clone, unknown package) throws ReleaseError. */
export async function prepareRelease(request: ReleaseRequest): Promise<PreparedRelease> {
  const { settings } = request;
  if (request.prerelease !== undefined && !/^(?!\d+$)[0-9A-Za-z-]+$/.test(request.prerelease))
    throw new ReleaseError(
      'BAD_PRERELEASE_ID',
      `--prerelease must be an identifier such as rc, beta or alpha, got '${request.prerelease}'`,
    );
  const pkg = selectPackage(settings, request.package);
  const tagFormat = pkg?.tagFormat ?? settings.tagFormat;
  const history = readReleaseHistory({
    cwd: request.projectDir,
    env: request.env,
    tagFormat,
    pathOf: (repo) =>
      pkg ? gitPath(repo.root, resolve(realpathSync(request.projectDir), pkg.path)) : undefined,
    map: commitParser(),
  });
  // The remote is read while the history is.
  const origin =
    settings.repositoryUrl === undefined
      ? originWebUrl(request.projectDir, request.env)
      : Promise.resolve(undefined);
  const { repo, tags, commits } = await history;
  const plan = planRelease(commits, tags, {
    settings,
    tagFormat,
    headSha: repo.headSha,
    ...(request.prerelease !== undefined ? { prerelease: request.prerelease } : {}),
    ...(pkg ? { package: pkg.name } : {}),
  });
  const repositoryUrl = settings.repositoryUrl ?? (await origin);
  const render: RenderOptions = {
    others: settings.changelog.others,
    ...(repositoryUrl !== undefined ? { repositoryUrl } : {}),
  };
  const warnings = [...plan.warnings];
  let notes = '';
  if (plan.next !== null) {
    const builtIn = builtInSummary(plan.commits);
    notes = renderNotes(plan, builtIn, render);
    if (settings.summarize) {
      const result = await runSummarizer(settings.summarize.command, notes, {
        cwd: request.projectDir,
        env: request.env,
        timeoutMs: settings.summarize.timeoutMs,
      });
      if (result.status === 'ok') notes = renderNotes(plan, result.summary, render);
      else warnings.push(`summarize command ${result.reason}; using the built-in summary`);
    }
  }
  const changelogDir = pkg ? resolve(request.projectDir, pkg.path) : request.projectDir;
  return {
    repo,
    plan,
    notes,
    render,
    changelogPath: isAbsolute(settings.changelog.path)
      ? settings.changelog.path
      : join(changelogDir, settings.changelog.path),
    warnings,
  };
}

function selectPackage(settings: ResolvedRelease, name: string | undefined) {
  const names = settings.packages.map((p) => p.name);
  if (name === undefined) {
    if (settings.packages.length > 0)
      throw new ReleaseError(
        'PACKAGE_REQUIRED',
        `this project releases packages (${names.join(', ')}); pass --package NAME`,
      );
    return undefined;
  }
  const pkg = settings.packages.find((p) => p.name === name);
  if (!pkg)
    throw new ReleaseError(
      'UNKNOWN_PACKAGE',
      `no package '${name}' in release.packages (${names.join(', ') || 'none configured'})`,
    );
  return pkg;
}

// A pathspec relative to the repository root, which is where git runs.
function gitPath(root: string, absolute: string): string {
  const rel = relative(root, absolute);
  return rel === '' ? '.' : rel.split('\\').join('/');
}
