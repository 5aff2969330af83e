import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareUrl, prependChangelog, renderChangelogSection } from './changelog.js';
import { parseCommit } from './conventional-commit.js';
import { planRelease } from './plan-release.js';
import { builtInSummary, renderNotes } from './release-notes.js';

const shas = ['1111111aaaa', '2222222bbbb', '3333333cccc', '4444444dddd', '5555555eeee', '6666666ffff'];
const messages = [
  'feat(api)!: remove v1 endpoints\n\nBREAKING CHANGE: the /v1 routes are gone',
  'feat(web): dark mode\n\nRefs: #42',
  'fix(api): null check',
  'perf: faster startup',
  'revert: feat: old thing\n\nThis reverts commit 9999999.',
  'docs: typo',
];
const authors = ['Ada', 'Linus', 'Ada', 'Grace', 'Ada', 'Linus'];
const commits = messages.map((message, i) =>
  parseCommit({ sha: shas[i]!, parents: ['p'], authorName: authors[i]!, authorEmail: '', date: '', message }),
);
const plan = planRelease(commits, [{ name: 'v1.2.3', sha: 'x', reachable: true }], {
  settings: { initialVersion: '1.0.0', preMajor: 'major', rules: [] },
  tagFormat: 'v${version}',
  headSha: 'h',
});

describe('changelog', () => {
  test('renders each section in order', () => {
    const text = renderChangelogSection(plan, '2024-05-01', {
      others: false,
      repositoryUrl: 'https://github.com/o/r',
    });
    const sections = text.split(/\n(?=### )/);
    assert.equal(sections[0], '## [2.0.0](https://github.com/o/r/compare/v1.2.3...v2.0.0) - 2024-05-01\n');
    assert.equal(
      sections[1],
      '### Breaking changes\n\n- **api:** the /v1 routes are gone ([1111111](https://github.com/o/r/commit/1111111aaaa))\n',
    );
    assert.equal(
      sections[2],
      '### Features\n\n- **api:** remove v1 endpoints ([1111111](https://github.com/o/r/commit/1111111aaaa))\n- **web:** dark mode ([2222222](https://github.com/o/r/commit/2222222bbbb), refs #42)\n',
    );
    assert.equal(
      sections[3],
      '### Fixes\n\n- **api:** null check ([3333333](https://github.com/o/r/commit/3333333cccc))\n',
    );
    assert.equal(
      sections[4],
      '### Performance\n\n- faster startup ([4444444](https://github.com/o/r/commit/4444444dddd))\n',
    );
    assert.equal(
      sections[5],
      '### Reverts\n\n- feat: old thing ([5555555](https://github.com/o/r/commit/5555555eeee))\n',
    );
    assert.equal(sections.length, 6, 'docs are hidden by default');
  });

  test('others: true adds "Other changes"; no repository URL means no links', () => {
    const text = renderChangelogSection(plan, '2024-05-01', { others: true });
    assert.match(text, /^## \[2\.0\.0\] - 2024-05-01\n/);
    assert.match(text, /### Other changes\n\n- typo \(6666666\)\n$/);
  });

  test('prepends above the newest release and creates the file when missing', () => {
    const created = prependChangelog(undefined, '## [1.0.0] - 2024-01-01\n\nfirst\n');
    assert.match(created, /^# Changelog\n/);
    assert.ok(created.endsWith('## [1.0.0] - 2024-01-01\n\nfirst\n'));
    const next = prependChangelog(created, '## [1.1.0] - 2024-02-01\n\nsecond\n');
    assert.ok(next.indexOf('## [1.1.0]') < next.indexOf('## [1.0.0]'));
    assert.ok(next.startsWith('# Changelog\n'));
  });

  test('compare links for GitHub and GitLab, and a first release', () => {
    assert.equal(
      compareUrl('https://gitlab.com/o/r', 'v1', 'v2'),
      'https://gitlab.com/o/r/-/compare/v1...v2',
    );
    assert.equal(compareUrl('https://github.com/o/r', null, 'v1.0.0'), 'https://github.com/o/r/tree/v1.0.0');
  });
});

describe('release notes', () => {
  test('the summary counts, ranks scopes, spells out breaking changes and names contributors', () => {
    assert.equal(
      builtInSummary(plan.commits),
      '6 commits: 2 features, 1 fix, 1 performance improvement, 1 revert and 1 other change. Most changed: api (2), web (1). Breaking change: api: the /v1 routes are gone. Contributors: Ada, Linus and Grace.',
    );
  });

  test('notes are the summary and then the sections', () => {
    const notes = renderNotes(plan, 'Summary.', { others: false });
    assert.match(notes, /^Summary\.\n\n### Breaking changes\n/);
    assert.match(notes, /### Reverts\n\n- feat: old thing \(5555555\)\n$/);
  });
});
