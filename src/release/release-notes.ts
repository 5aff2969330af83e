/**
 * Release notes: a short summary paragraph written from the commits (counts, the most changed
 * scopes, the breaking changes, the contributors) followed by the changelog's sub-sections.
 */
import { type RenderOptions, renderChanges } from './changelog.js';
import type { PlannedCommit, ReleasePlan } from './plan-release.js';

const KINDS: readonly (readonly [string, string, string])[] = [
  ['feat', 'feature', 'features'],
  ['fix', 'fix', 'fixes'],
  ['perf', 'performance improvement', 'performance improvements'],
  ['revert', 'revert', 'reverts'],
];

/** The built-in summary paragraph of a release. */
export function builtInSummary(commits: readonly PlannedCommit[]): string {
  if (commits.length === 0) return 'No changes.';
  // One pass: a release may hold tens of thousands of commits.
  const types = new Map<string, number>();
  const scopes = new Map<string, number>();
  const people = new Map<string, number>();
  const breaking: string[] = [];
  for (const c of commits) {
    types.set(c.type, (types.get(c.type) ?? 0) + 1);
    if (c.scope) scopes.set(c.scope, (scopes.get(c.scope) ?? 0) + 1);
    const who = c.author.name || c.author.email;
    people.set(who, (people.get(who) ?? 0) + 1);
    for (const note of c.breakingNotes) breaking.push(`${c.scope ? `${c.scope}: ` : ''}${firstLine(note)}`);
  }
  const counts: string[] = [];
  let known = 0;
  for (const [type, one, many] of KINDS) {
    const n = types.get(type) ?? 0;
    known += n;
    if (n > 0) counts.push(`${n} ${n === 1 ? one : many}`);
  }
  const others = commits.length - known;
  if (others > 0) counts.push(`${others} other ${others === 1 ? 'change' : 'changes'}`);
  const sentences = [`${commits.length} ${commits.length === 1 ? 'commit' : 'commits'}: ${list(counts)}.`];
  const topScopes = ranked(scopes);
  if (topScopes.length > 0)
    sentences.push(
      `Most changed: ${topScopes
        .slice(0, 3)
        .map(([s, n]) => `${s} (${n})`)
        .join(', ')}.`,
    );
  if (breaking.length > 0) {
    const shown =
      breaking.length > 10 ? [...breaking.slice(0, 10), `and ${breaking.length - 10} more`] : breaking;
    sentences.push(
      `${breaking.length === 1 ? 'Breaking change' : `${breaking.length} breaking changes`}: ${shown.join('; ')}.`,
    );
  }
  const names = ranked(people).map(([name]) => name);
  const shownPeople = names.length > 8 ? [...names.slice(0, 8), `${names.length - 8} more`] : names;
  sentences.push(`${names.length === 1 ? 'Contributor' : 'Contributors'}: ${list(shownPeople)}.`);
  return sentences.join(' ');
}

/** The notes of a planned release: the summary paragraph, then the changes. */
export function renderNotes(plan: ReleasePlan, summary: string, options: RenderOptions): string {
  const changes = renderChanges(plan.commits, options);
  return changes ? `${summary.trim()}\n\n${changes}\n` : `${summary.trim()}\n`;
}

function ranked(counts: ReadonlyMap<string, number>): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
