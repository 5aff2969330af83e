/**
 * The `release:` section of slipway.yaml: how `slipway release` turns commits into versions,
 * changelogs, notes and assets. Absent, every field takes its default.
 */
import semver from 'semver';
import { z } from 'zod';
import { duration, identifier } from './fields.js';
import type { ResolvedRelease } from './resolved.js';

const BUMPS = ['major', 'minor', 'patch', 'none'] as const;

const version = z
  .string()
  .refine((v) => semver.valid(v) === v, { error: 'must be a semantic version such as 1.0.0' });

const tagFormat = z
  .string()
  .refine((v) => v.split('${version}').length === 2, { error: 'must contain `${version}` exactly once' });

/** A bump rule matched against each commit before the default rules. */
export const releaseRuleSchema = z
  .strictObject({
    type: z.string().min(1).optional().describe('Commit type the rule matches, e.g. `docs` (default: any).'),
    scope: z
      .string()
      .min(1)
      .optional()
      .describe('Commit scope the rule matches, e.g. `README` (default: any).'),
    breaking: z
      .boolean()
      .optional()
      .describe(
        '`true` matches only breaking commits; unset or `false` only non-breaking ones, so a rule never downgrades a breaking change by accident.',
      ),
    bump: z.enum(BUMPS).describe('Bump a matching commit causes; `none` keeps it from causing a release.'),
  })
  .describe('A bump rule: commits matching `type`/`scope`/`breaking` cause `bump`.');

/** One independently versioned package of a monorepo. */
export const releasePackageSchema = z
  .strictObject({
    name: identifier.describe('Package name, used in its tags and by `slipway release --package`.'),
    path: z
      .string()
      .min(1)
      .describe(
        'Directory of the package, relative to the project directory; only commits touching it count, and its changelog lives there.',
      ),
    tagFormat: tagFormat
      .optional()
      .describe('Tag format of the package (default: `<name>-v${version}`, e.g. `api-v1.2.0`).'),
  })
  .describe('A package versioned from the commits that touch its path.');

/** The `release:` section. */
export const releaseSchema = z
  .strictObject({
    tagFormat: tagFormat
      .default('v${version}')
      .describe('Format of release tags; `${version}` is the version.'),
    initialVersion: version
      .default('1.0.0')
      .describe('Version of the first release, when no release tag exists.'),
    preMajor: z
      .enum(['major', 'minor'])
      .default('major')
      .describe('Bump a breaking change causes while the version is 0.x (`minor` keeps 0.x going).'),
    rules: z
      .array(releaseRuleSchema)
      .default([])
      .describe(
        'Bump rules matched before the defaults (breaking: major, feat: minor, fix/perf/revert: patch).',
      ),
    packages: z
      .array(releasePackageSchema)
      .default([])
      .superRefine((packages, ctx) => {
        const seen = new Set<string>();
        packages.forEach((p, i) => {
          if (seen.has(p.name))
            ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate package '${p.name}'` });
          seen.add(p.name);
        });
      })
      .describe('Monorepo packages, each versioned and tagged on its own.'),
    assets: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Glob patterns of files stored with each release, checksummed, relative to the project directory (e.g. `dist/*.tgz`).',
      ),
    summarize: z
      .strictObject({
        command: z
          .string()
          .min(1)
          .describe('Shell command that reads the release notes on stdin and prints a summary paragraph.'),
        timeout: duration
          .prefault('30s')
          .describe('A command that takes longer is stopped; the built-in summary is used.'),
      })
      .optional()
      .describe(
        'An external summarizer (e.g. an LLM command-line tool); failures fall back to the built-in summary.',
      ),
    changelog: z
      .strictObject({
        path: z
          .string()
          .min(1)
          .default('CHANGELOG.md')
          .describe('Changelog file, relative to the project directory (for a package: its directory).'),
        others: z
          .boolean()
          .default(false)
          .describe('Also list commits of other types (docs, chore, ...) under "Other changes".'),
      })
      .prefault({})
      .describe('The changelog `slipway release` prepends each release to.'),
    repositoryUrl: z
      .url()
      .optional()
      .describe('Web URL of the repository, for compare links (default: from `git remote get-url origin`).'),
  })
  .describe('How `slipway release` versions the project from its commits.');

export type ReleaseInput = z.input<typeof releaseSchema>;
export type ReleaseOutput = z.output<typeof releaseSchema>;

/** The resolved release settings of a config section (or of none: every default). */
export function resolveRelease(section: ReleaseOutput | undefined): ResolvedRelease {
  const r = section ?? releaseSchema.parse({});
  return {
    tagFormat: r.tagFormat,
    initialVersion: r.initialVersion,
    preMajor: r.preMajor,
    rules: r.rules.map((rule) => ({
      ...(rule.type !== undefined ? { type: rule.type.toLowerCase() } : {}),
      ...(rule.scope !== undefined ? { scope: rule.scope } : {}),
      breaking: rule.breaking ?? false,
      bump: rule.bump,
    })),
    packages: r.packages.map((p) => ({
      name: p.name,
      path: p.path.replace(/\/+$/, '') || '.',
      tagFormat: p.tagFormat ?? `${p.name}-v\${version}`,
    })),
    assets: r.assets,
    ...(r.summarize ? { summarize: { command: r.summarize.command, timeoutMs: r.summarize.timeout } } : {}),
    changelog: { path: r.changelog.path, others: r.changelog.others },
    ...(r.repositoryUrl !== undefined ? { repositoryUrl: r.repositoryUrl.replace(/\/+$/, '') } : {}),
  };
}
