import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResolvedReleaseRule } from '../config/resolved.js';
import { parseCommit } from './conventional-commit.js';
import { planRelease } from './plan-release.js';
import type { GitTag } from './release-tags.js';

let n = 0;
const sha = () => (n++).toString(16).padStart(40, '0');
/** Commits newest first, as git log lists them. */
const commits = (...messages: string[]) =>
  messages.map((message) =>
    parseCommit({ sha: sha(), parents: ['x'], authorName: 'A', authorEmail: 'a@x', date: '', message }),
  );
const tag = (name: string, reachable = true, at = 'f'.repeat(40)): GitTag => ({ name, sha: at, reachable });
const settings = (over: { preMajor?: 'major' | 'minor'; rules?: ResolvedReleaseRule[] } = {}) => ({
  initialVersion: '1.0.0',
  preMajor: over.preMajor ?? ('major' as const),
  rules: over.rules ?? [],
});
const plan = (
  messages: string[],
  tags: GitTag[] = [tag('v1.2.3')],
  extra: { prerelease?: string; preMajor?: 'major' | 'minor'; rules?: ResolvedReleaseRule[] } = {},
) =>
  planRelease(commits(...messages), tags, {
    settings: settings(extra),
    tagFormat: 'v${version}',
    headSha: 'h'.repeat(40),
    ...(extra.prerelease ? { prerelease: extra.prerelease } : {}),
  });

describe('planRelease: bump rules', () => {
  const cases: { name: string; messages: string[]; next: string | null; bump: string | null }[] = [
    { name: 'feat is minor', messages: ['feat: a'], next: '1.3.0', bump: 'minor' },
    { name: 'feature is minor, as feat', messages: ['feature(ui): a'], next: '1.3.0', bump: 'minor' },
    { name: 'fix is patch', messages: ['fix: a'], next: '1.2.4', bump: 'patch' },
    { name: 'perf is patch', messages: ['perf: a'], next: '1.2.4', bump: 'patch' },
    { name: 'bang is major', messages: ['fix!: a'], next: '2.0.0', bump: 'major' },
    { name: 'footer is major', messages: ['chore: a\n\nBREAKING CHANGE: b'], next: '2.0.0', bump: 'major' },
    { name: 'highest wins', messages: ['fix: a', 'feat: b', 'docs: c'], next: '1.3.0', bump: 'minor' },
    {
      name: 'other types are none',
      messages: ['docs: a', 'chore: b', 'random text'],
      next: null,
      bump: null,
    },
    {
      name: 'a lone revert of an older change is patch',
      messages: ['revert: feat: old\n\nThis reverts commit 1234567.'],
      next: '1.2.4',
      bump: 'patch',
    },
    {
      name: '[skip release] is ignored',
      messages: ['feat: a [skip release]', 'fix: b'],
      next: '1.2.4',
      bump: 'patch',
    },
    { name: 'nothing at all', messages: [], next: null, bump: null },
    {
      name: 'Release-As sets the version',
      messages: ['chore: x\n\nRelease-As: 4.0.0'],
      next: '4.0.0',
      bump: 'major',
    },
    {
      name: 'newest Release-As wins',
      messages: ['chore: y\n\nRelease-As: 5.1.0', 'chore: x\n\nRelease-As: 4.0.0'],
      next: '5.1.0',
      bump: 'major',
    },
    {
      name: 'Release-As below the current version is ignored',
      messages: ['fix: x\n\nRelease-As: 1.0.0'],
      next: '1.2.4',
      bump: 'patch',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const p = plan(c.messages);
      assert.equal(p.next, c.next);
      assert.equal(p.bump, c.bump);
      assert.equal(p.previous?.version, '1.2.3');
    });
  }

  test('a revert and the commit it reverts cancel out; a revert of a revert restores', () => {
    const [revert2, revert1, feat, fix] = commits('fix: keep', 'feat: add', 'x', 'y');
    const list = [
      { ...revert2!, subject: 'r2', type: 'revert', revert: { sha: revert1!.sha, header: null } },
      { ...revert1!, subject: 'r1', type: 'revert', revert: { sha: feat!.sha, header: null } },
      { ...feat!, type: 'feat', subject: 'add' },
      { ...fix!, type: 'fix', subject: 'keep' },
    ];
    const p = planRelease(list, [tag('v1.2.3')], {
      settings: settings(),
      tagFormat: 'v${version}',
      headSha: 'h',
    });
    assert.deepEqual(
      p.commits.map((x) => x.subject),
      ['add', 'keep'],
    );
    assert.equal(p.next, '1.3.0');
    const single = planRelease(list.slice(1), [tag('v1.2.3')], {
      settings: settings(),
      tagFormat: 'v${version}',
      headSha: 'h',
    });
    assert.deepEqual(
      single.commits.map((x) => x.subject),
      ['keep'],
    );
    assert.equal(single.next, '1.2.4');
    assert.deepEqual(single.ignored.map((i) => i.reason).sort(), ['revert-of-in-range', 'reverted']);
  });

  test('custom rules match before the defaults; bump none suppresses', () => {
    const rules: ResolvedReleaseRule[] = [
      { type: 'docs', scope: 'README', breaking: false, bump: 'patch' },
      { type: 'feat', scope: 'experimental', breaking: false, bump: 'none' },
    ];
    assert.equal(plan(['docs(README): typo'], undefined, { rules }).next, '1.2.4');
    assert.equal(plan(['docs(guide): typo'], undefined, { rules }).next, null);
    assert.equal(plan(['feat(experimental): try'], undefined, { rules }).next, null);
    // A rule without `breaking: true` never downgrades a breaking change.
    assert.equal(plan(['feat(experimental)!: try'], undefined, { rules }).next, '2.0.0');
  });

  test('preMajor: minor makes breaking changes minor while 0.x', () => {
    assert.equal(plan(['feat!: a'], [tag('v0.4.1')], { preMajor: 'minor' }).next, '0.5.0');
    assert.equal(plan(['feat!: a'], [tag('v0.4.1')]).next, '1.0.0');
    assert.equal(plan(['feat!: a'], [tag('v1.4.1')], { preMajor: 'minor' }).next, '2.0.0');
  });
});

describe('planRelease: tags', () => {
  test('no previous tag gives the initial version', () => {
    const p = plan(['chore: init'], []);
    assert.equal(p.previous, null);
    assert.equal(p.next, '1.0.0');
  });

  test('only reachable, valid semver tags in the format count; the highest wins', () => {
    const tags = [
      tag('v1.2.3'),
      tag('v1.10.0'),
      tag('v9.0.0', false),
      tag('release-2'),
      tag('v1.2'),
      tag('v01.2.3'),
      tag('api-v5.0.0'),
      tag('latest'),
    ];
    const p = plan(['fix: a'], tags);
    assert.equal(p.previous?.version, '1.10.0');
    assert.equal(p.next, '1.10.1');
  });

  test('prereleases count up and a full release follows', () => {
    const rc1 = plan(['feat: a'], [tag('v1.2.3')], { prerelease: 'rc' });
    assert.equal(rc1.next, '1.3.0-rc.1');
    const rc2 = plan(['fix: b', 'feat: a'], [tag('v1.2.3'), tag('v1.3.0-rc.1', true, 'o'.repeat(40))], {
      prerelease: 'rc',
    });
    assert.equal(rc2.next, '1.3.0-rc.2');
    assert.equal(rc2.previous?.version, '1.3.0-rc.1');
    const again = plan(['feat: a'], [tag('v1.2.3'), tag('v1.3.0-rc.1', true, 'h'.repeat(40))], {
      prerelease: 'rc',
    });
    assert.equal(again.next, null, 'nothing new since rc.1 at HEAD');
    const full = plan(['fix: b', 'feat: a'], [tag('v1.2.3'), tag('v1.3.0-rc.2')]);
    assert.equal(full.next, '1.3.0');
    assert.equal(full.previous?.version, '1.2.3');
    const beta = plan(['feat!: a'], [tag('v1.2.3'), tag('v1.3.0-rc.1')], { prerelease: 'beta' });
    assert.equal(beta.next, '2.0.0-beta.1');
  });
});
