/**
 * Changelog rendering in the Keep a Changelog style: one section per release, newest on top,
 * with sub-sections for breaking changes, features, fixes, performance and reverts.
 */
import type { PlannedCommit, ReleasePlan } from './plan-release.js';

/** How the changes are rendered. */
export interface RenderOptions {
  /** Web URL of the repository, for commit and compare links. */
  readonly repositoryUrl?: string;
  /** List commits of other types under "Other changes". */
  readonly others: boolean;
}

const SECTIONS: readonly { readonly title: string; readonly types: readonly string[] }[] = [
  { title: 'Features', types: ['feat'] },
  { title: 'Fixes', types: ['fix'] },
  { title: 'Performance', types: ['perf'] },
  { title: 'Reverts', types: ['revert'] },
];
const TITLE_OF: ReadonlyMap<string, string> = new Map(
  SECTIONS.flatMap((s) => s.types.map((t) => [t, s.title] as const)),
);
/** Longest subject printed in a changelog line; the full message stays in git. */
const MAX_SUBJECT = 300;

/** The `### ...` sub-sections of a release (breaking changes first); empty string when nothing is shown. */
export function renderChanges(commits: readonly PlannedCommit[], options: RenderOptions): string {
  const breaking: string[] = [];
  const byTitle = new Map<string, string[]>();
  const others: string[] = [];
  for (const c of commits) {
    for (const note of c.breakingNotes) breaking.push(entry(c, note, options));
    const title = TITLE_OF.get(c.type);
    if (title !== undefined) {
      const list = byTitle.get(title);
      if (list) list.push(entry(c, c.subject, options));
      else byTitle.set(title, [entry(c, c.subject, options)]);
    } else if (options.others) others.push(entry(c, c.subject, options));
  }
  const parts: string[] = [];
  if (breaking.length > 0) parts.push(`### Breaking changes\n\n${breaking.join('\n')}`);
  for (const section of SECTIONS) {
    const list = byTitle.get(section.title);
    if (list) parts.push(`### ${section.title}\n\n${list.join('\n')}`);
  }
  if (others.length > 0) parts.push(`### Other changes\n\n${others.join('\n')}`);
  return parts.join('\n\n');
}

/** The link comparing two tags on the repository's web UI (or the tag alone for a first release). */
export function compareUrl(repositoryUrl: string, previousTag: string | null, tag: string): string {
  const gitlab = /gitlab/i.test(repositoryUrl) ? '/-' : '';
  return previousTag === null
    ? `${repositoryUrl}${gitlab}/tree/${tag}`
    : `${repositoryUrl}${gitlab}/compare/${previousTag}...${tag}`;
}

/** The whole changelog section of a planned release dated `date` (YYYY-MM-DD). */
export function renderChangelogSection(plan: ReleasePlan, date: string, options: RenderOptions): string {
  if (plan.next === null || plan.tag === null)
    throw new Error('renderChangelogSection: the plan has no release');
  const url = options.repositoryUrl
    ? compareUrl(options.repositoryUrl, plan.previous?.tag ?? null, plan.tag)
    : undefined;
  const heading = url ? `## [${plan.next}](${url}) - ${date}` : `## [${plan.next}] - ${date}`;
  const changes = renderChanges(plan.commits, options);
  return `${heading}\n\n${changes || '_No user-facing changes._'}\n`;
}

const PREAMBLE =
  '# Changelog\n\nAll notable changes to this project are documented in this file. The format follows\n[Keep a Changelog](https://keepachangelog.com/en/1.1.0/) and the project uses [Semantic Versioning](https://semver.org/).\n';

/** `existing` changelog text (or undefined for none) with `section` placed above the newest release. */
export function prependChangelog(existing: string | undefined, section: string): string {
  if (existing === undefined || existing.trim() === '') return `${PREAMBLE}\n${section}`;
  const match = /^## /m.exec(existing);
  if (!match) return `${existing.replace(/\n*$/, '\n\n')}${section}`;
  return `${existing.slice(0, match.index)}${section}\n${existing.slice(match.index)}`;
}

function entry(c: PlannedCommit, text: string, options: RenderOptions): string {
  const newline = text.indexOf('\n');
  const firstLine = newline === -1 ? text : text.slice(0, newline);
  const shown = firstLine.length > MAX_SUBJECT ? `${firstLine.slice(0, MAX_SUBJECT)}…` : firstLine;
  const short = c.sha.slice(0, 7);
  const link = options.repositoryUrl ? `[${short}](${options.repositoryUrl}/commit/${c.sha})` : short;
  const refs = c.refs.length > 0 ? `, refs ${c.refs.join(', ')}` : '';
  return `- ${c.scope ? `**${c.scope}:** ` : ''}${shown} (${link}${refs})`;
}
