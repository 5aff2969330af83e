// Every version rule of `slipway release --dry-run --json`, against real temporary git repositories.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { show } from '../pipeline/helpers/cli.js';
import { createRepo, type PlanDocument, type TestRepo } from './helpers.js';

interface Case {
  readonly name: string;
  readonly setup: (repo: TestRepo) => void;
  readonly previous: string | null;
  readonly next: string | null;
  readonly bump: string | null;
  readonly check?: (plan: PlanDocument) => void;
}

const base = (repo: TestRepo, version = '1.2.3') => {
  repo.commit('chore: init');
  repo.tag(`v${version}`);
};

const cases: Case[] = [
  {
    name: 'no previous tag: the initial version',
    setup: (r) => {
      r.commit('chore: init');
      r.commit('docs: readme');
    },
    previous: null,
    next: '1.0.0',
    bump: null,
  },
  {
    name: 'release.initialVersion from slipway.yaml',
    setup: (r) => r.commit('feat: first', { 'slipway.yaml': 'release:\n  initialVersion: 0.1.0\n' }),
    previous: null,
    next: '0.1.0',
    bump: 'minor',
  },
  {
    name: 'feat is minor',
    setup: (r) => {
      base(r);
      r.commit('feat(api): add');
    },
    previous: '1.2.3',
    next: '1.3.0',
    bump: 'minor',
  },
  {
    name: "feature (the preset's alias of feat) is minor",
    setup: (r) => {
      base(r);
      r.commit('feature: dark mode');
    },
    previous: '1.2.3',
    next: '1.3.0',
    bump: 'minor',
    check: (p) => assert.equal(p.commits[0]?.type, 'feat'),
  },
  {
    name: 'fix is patch',
    setup: (r) => {
      base(r);
      r.commit('fix: bug');
    },
    previous: '1.2.3',
    next: '1.2.4',
    bump: 'patch',
  },
  {
    name: 'perf is patch',
    setup: (r) => {
      base(r);
      r.commit('perf: faster');
    },
    previous: '1.2.3',
    next: '1.2.4',
    bump: 'patch',
  },
  {
    name: '! is major',
    setup: (r) => {
      base(r);
      r.commit('refactor!: drop x');
    },
    previous: '1.2.3',
    next: '2.0.0',
    bump: 'major',
  },
  {
    name: 'BREAKING CHANGE footer is major',
    setup: (r) => {
      base(r);
      r.commit('fix: x\n\nBREAKING CHANGE: y');
    },
    previous: '1.2.3',
    next: '2.0.0',
    bump: 'major',
  },
  {
    name: 'BREAKING-CHANGE footer is major',
    setup: (r) => {
      base(r);
      r.commit('chore: x\n\nBREAKING-CHANGE: y');
    },
    previous: '1.2.3',
    next: '2.0.0',
    bump: 'major',
  },
  {
    name: 'the highest bump wins',
    setup: (r) => {
      base(r);
      r.commit('fix: a');
      r.commit('feat: b');
      r.commit('docs: c');
    },
    previous: '1.2.3',
    next: '1.3.0',
    bump: 'minor',
    check: (p) =>
      assert.deepEqual(
        p.commits.map((c) => c.type),
        ['docs', 'feat', 'fix'],
      ),
  },
  {
    name: 'only other types: nothing to release',
    setup: (r) => {
      base(r);
      r.commit('docs: a');
      r.commit('chore(deps): b');
    },
    previous: '1.2.3',
    next: null,
    bump: null,
  },
  {
    name: 'a git revert and the commit it reverts cancel out',
    setup: (r) => {
      base(r);
      r.commit('feat: risky', { 'a.txt': 'a\n' });
      r.git('revert', '--no-edit', 'HEAD');
      r.commit('fix: small');
    },
    previous: '1.2.3',
    next: '1.2.4',
    bump: 'patch',
    check: (p) =>
      assert.deepEqual(
        p.commits.map((c) => c.subject),
        ['small'],
      ),
  },
  {
    name: 'a revert of a released change is patch',
    setup: (r) => {
      r.commit('feat: risky', { 'a.txt': 'a\n' });
      r.tag('v1.2.3');
      r.git('revert', '--no-edit', 'HEAD');
    },
    previous: '1.2.3',
    next: '1.2.4',
    bump: 'patch',
    check: (p) => assert.equal(p.commits[0]?.type, 'revert'),
  },
  {
    name: 'revert: type with This reverts commit cancels too',
    setup: (r) => {
      base(r);
      const sha = r.commit('feat: risky');
      r.commit(`revert: feat: risky\n\nThis reverts commit ${sha}.`);
    },
    previous: '1.2.3',
    next: null,
    bump: null,
  },
  {
    name: '[skip release] commits are ignored',
    setup: (r) => {
      base(r);
      r.commit('feat: hidden [skip release]');
      r.commit('fix: shown');
    },
    previous: '1.2.3',
    next: '1.2.4',
    bump: 'patch',
  },
  {
    name: 'Release-As sets the version, newest wins',
    setup: (r) => {
      base(r);
      r.commit('chore: a\n\nRelease-As: 3.0.0');
      r.commit('chore: b\n\nRelease-As: 2.5.0');
    },
    previous: '1.2.3',
    next: '2.5.0',
    bump: 'major',
  },
  {
    name: 'custom rules match before the defaults; bump none suppresses',
    setup: (r) => {
      r.commit('chore: init', {
        'slipway.yaml':
          'release:\n  rules:\n    - { type: docs, scope: README, bump: patch }\n    - { type: feat, scope: labs, bump: none }\n',
      });
      r.tag('v1.2.3');
      r.commit('feat(labs): experiment');
      r.commit('docs(README): typo');
    },
    previous: '1.2.3',
    next: '1.2.4',
    bump: 'patch',
  },
  {
    name: 'preMajor: minor keeps 0.x going',
    setup: (r) => {
      r.commit('chore: init', { 'slipway.yaml': 'release:\n  preMajor: minor\n' });
      r.tag('v0.3.1');
      r.commit('feat!: reshape');
    },
    previous: '0.3.1',
    next: '0.4.0',
    bump: 'minor',
  },
  {
    name: 'tags that are not semver, not in the format or not reachable are ignored; the highest wins',
    setup: (r) => {
      r.commit('chore: init');
      r.tag('v1.2.3');
      r.tag('v1.10.0', { lightweight: true });
      r.tag('nightly', { lightweight: true });
      r.tag('v2', { lightweight: true });
      r.tag('v02.0.0', { lightweight: true });
      r.git('checkout', '-q', '-b', 'side');
      r.commit('feat: elsewhere');
      r.tag('v9.0.0');
      r.git('checkout', '-q', 'main');
      r.commit('fix: here');
    },
    previous: '1.10.0',
    next: '1.10.1',
    bump: 'patch',
  },
  {
    name: 'release.tagFormat',
    setup: (r) => {
      r.commit('chore: init', { 'slipway.yaml': "release:\n  tagFormat: 'release/${version}'\n" });
      r.tag('release/2.0.0');
      r.tag('v7.0.0');
      r.commit('feat: x');
    },
    previous: '2.0.0',
    next: '2.1.0',
    bump: 'minor',
    check: (p) => assert.equal(p.tag, 'release/2.1.0'),
  },
  {
    name: 'merge commits: the merged commits count, the merge itself is not listed',
    setup: (r) => {
      base(r);
      r.git('checkout', '-q', '-b', 'topic');
      r.commit('feat(ui): from a branch', { 'ui.txt': '1\n' });
      r.git('checkout', '-q', 'main');
      r.commit('fix: on main', { 'main.txt': '1\n' });
      r.git('merge', '-q', '--no-ff', '--no-edit', 'topic');
    },
    previous: '1.2.3',
    next: '1.3.0',
    bump: 'minor',
    check: (p) => assert.deepEqual(p.commits.map((c) => c.subject).sort(), ['from a branch', 'on main']),
  },
  {
    name: 'unparseable messages count as other and never crash',
    setup: (r) => {
      base(r);
      r.commit('WIP');
      r.commit('feat:missing space');
      r.commit('(): ?');
    },
    previous: '1.2.3',
    next: null,
    bump: null,
    check: (p) =>
      assert.deepEqual(
        p.commits.map((c) => c.type),
        ['other', 'other', 'other'],
      ),
  },
  {
    name: 'a message that is not UTF-8',
    setup: (r) => {
      base(r);
      r.git('config', 'i18n.commitEncoding', 'ISO-8859-1');
      r.commit(Buffer.from('fix: caf\xe9 cr\xe8me\n', 'latin1'));
      r.git('config', '--unset', 'i18n.commitEncoding');
      // git commit rewrites invalid UTF-8, so this commit object is written by hand.
      r.commitRaw(
        Buffer.concat([Buffer.from('feat: raw '), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from(' bytes\n')]),
      );
    },
    previous: '1.2.3',
    next: '1.3.0',
    bump: 'minor',
    check: (p) => {
      assert.equal(p.commits[1]?.subject, 'caf\u00e9 cr\u00e8me');
      assert.match(p.commits[0]?.subject ?? '', /^raw \uFFFD+ bytes$/);
    },
  },
  {
    name: 'a 1 MB commit message',
    setup: (r) => {
      base(r);
      r.commit(`feat(big): huge\n\n${'lorem ipsum dolor sit amet\n'.repeat(40_000)}\nRefs: #7\n`);
      r.commit(`fix: ${'x'.repeat(1_000_000)}`);
    },
    previous: '1.2.3',
    next: '1.3.0',
    bump: 'minor',
    check: (p) => {
      assert.equal(p.commits[1]?.scope, 'big');
      assert.equal(p.commits[0]?.subject.length, 1_000_000);
      assert.ok(p.notes.length < 10_000, 'changelog lines are shortened');
    },
  },
];

describe('slipway release --dry-run --json: versions from real history', { concurrency: 4 }, () => {
  for (const c of cases) {
    test(c.name, async (t) => {
      const repo = createRepo(t);
      c.setup(repo);
      const head = repo.git('rev-parse', 'HEAD');
      const plan = await repo.json<PlanDocument>(['release', '--dry-run']);
      assert.equal(plan.previous, c.previous, 'previous');
      assert.equal(plan.next, c.next, 'next');
      assert.equal(plan.bump, c.bump, 'bump');
      assert.equal(typeof plan.notes, 'string');
      for (const commit of plan.commits) assert.equal(typeof commit.breaking, 'boolean');
      c.check?.(plan);
      assert.equal(repo.git('rev-parse', 'HEAD'), head, 'a dry run changes nothing');
      assert.equal(repo.git('status', '--porcelain', '--untracked-files=no'), '');
    });
  }

  test('nothing to release prints a clear line and exits 0', async (t) => {
    const repo = createRepo(t);
    base(repo);
    const result = await repo.slipway(['release', '--dry-run']);
    assert.equal(result.code, 0, show(result));
    assert.match(result.stdout, /nothing to release: no commits since v1\.2\.3/);
    const real = await repo.slipway(['release']);
    assert.equal(real.code, 0, show(real));
    assert.equal(repo.git('tag', '--list'), 'v1.2.3');
  });
});
