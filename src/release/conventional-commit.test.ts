import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commitParser, parseCommit, type RawCommit } from './conventional-commit.js';

const raw = (message: string, parents = ['p1']): RawCommit => ({
  sha: 'a'.repeat(40),
  parents,
  authorName: 'Ada',
  authorEmail: 'ada@example.com',
  date: '2024-01-01T00:00:00Z',
  message,
});

describe('parseCommit', () => {
  const cases: {
    name: string;
    message: string;
    parents?: string[];
    want: Partial<ReturnType<typeof parseCommit>>;
  }[] = [
    {
      name: 'type and subject',
      message: 'feat: add login',
      want: { type: 'feat', scope: null, subject: 'add login', breaking: false },
    },
    {
      name: 'scope',
      message: 'fix(api): handle nulls\n',
      want: { type: 'fix', scope: 'api', subject: 'handle nulls' },
    },
    { name: 'type is case-insensitive', message: 'FEAT(ui): shout', want: { type: 'feat', scope: 'ui' } },
    {
      name: 'feature is an alias of feat',
      message: 'Feature(ui): dark mode',
      want: { type: 'feat', scope: 'ui', subject: 'dark mode' },
    },
    {
      name: 'bang is breaking',
      message: 'refactor(core)!: drop node 16',
      want: { type: 'refactor', breaking: true, breakingNotes: ['drop node 16'] },
    },
    {
      name: 'BREAKING CHANGE footer',
      message: 'feat: new config\n\nBody text.\n\nBREAKING CHANGE: `jobs` is now a map\nRefs: #12',
      want: { breaking: true, breakingNotes: ['`jobs` is now a map'], body: 'Body text.', refs: ['#12'] },
    },
    {
      name: 'BREAKING-CHANGE footer',
      message: 'fix: x\n\nBREAKING-CHANGE: gone',
      want: { breaking: true, breakingNotes: ['gone'] },
    },
    {
      name: 'multi-line footer value',
      message: 'fix: x\n\nBREAKING CHANGE: first\nsecond line\nReviewed-by: Z',
      want: { breakingNotes: ['first\nsecond line'] },
    },
    { name: 'Refs list', message: 'fix: x\n\nRefs: #1, #2', want: { refs: ['#1', '#2'] } },
    {
      name: 'Release-As, newest footer wins',
      message: 'chore: x\n\nRelease-As: 2.0.0\nRelease-As: 3.0.0',
      want: { releaseAs: '3.0.0' },
    },
    {
      name: 'a body paragraph is not a footer',
      message: 'fix: x\n\nNote: this is prose\n\nmore prose',
      want: { footers: [], body: 'Note: this is prose\n\nmore prose' },
    },
    {
      name: 'revert: type with sha',
      message: 'revert: feat: add login\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.',
      want: {
        type: 'revert',
        revert: { sha: '0123456789abcdef0123456789abcdef01234567', header: 'feat: add login' },
      },
    },
    {
      name: 'git\'s Revert "..."',
      message: 'Revert "feat: add login"\n\nThis reverts commit 0123456789abcdef.',
      want: {
        type: 'revert',
        subject: 'feat: add login',
        revert: { sha: '0123456789abcdef', header: 'feat: add login' },
      },
    },
    {
      name: 'merge commit',
      message: "Merge branch 'topic'",
      parents: ['p1', 'p2'],
      want: { type: 'merge', merge: true },
    },
    {
      name: 'merge pull request by message',
      message: 'Merge pull request #4 from a/b',
      want: { type: 'merge' },
    },
    {
      name: 'conventional merge keeps its type',
      message: 'feat: squash (#9)',
      parents: ['p1', 'p2'],
      want: { type: 'feat', merge: true },
    },
    {
      name: 'unparseable is other',
      message: 'WIP!!',
      want: { type: 'other', subject: 'WIP!!', breaking: false },
    },
    { name: 'missing space after colon is other', message: 'feat:nope', want: { type: 'other' } },
    { name: 'empty message is other', message: '', want: { type: 'other', subject: '' } },
    { name: '[skip release]', message: 'feat: x [skip release]', want: { skip: true, type: 'feat' } },
    { name: 'CRLF', message: 'fix: x\r\n\r\nRefs: #3\r\n', want: { refs: ['#3'], subject: 'x' } },
    {
      name: 'replacement characters',
      message: 'fix: caf\uFFFD',
      want: { type: 'fix', subject: 'caf\uFFFD' },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const parsed = parseCommit(raw(c.message, c.parents));
      for (const [key, value] of Object.entries(c.want))
        assert.deepEqual(parsed[key as keyof typeof parsed], value, `${c.name}: ${key}`);
    });
  }

  test('commitParser parses like parseCommit and shares authors and scopes', () => {
    const parse = commitParser();
    for (const c of cases) {
      const message = c.message;
      assert.deepEqual(parse(raw(message, c.parents)), parseCommit(raw(message, c.parents)), c.name);
    }
    const a = parse(raw('fix(api): one'));
    const b = parse(raw('feat(api): two'));
    assert.equal(a.author, b.author);
    const renamed = parse({ ...raw('fix: three'), authorName: 'Ada L.' });
    assert.deepEqual(renamed.author, { name: 'Ada L.', email: 'ada@example.com' });
  });

  test('a 1 MB message parses quickly', () => {
    const body = 'x'.repeat(100).concat('\n').repeat(10_000);
    const start = performance.now();
    const parsed = parseCommit(raw(`feat(big): huge\n\n${body}\nBREAKING CHANGE: big`));
    assert.equal(parsed.type, 'feat');
    assert.deepEqual(parsed.breakingNotes, ['big']);
    const oneLine = parseCommit(raw(`fix: ${'y'.repeat(1_000_000)}`));
    assert.equal(oneLine.subject.length, 1_000_000);
    assert.ok(performance.now() - start < 1000);
  });
});
