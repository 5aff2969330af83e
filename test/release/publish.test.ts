// `slipway release` for real: CHANGELOG, annotated tag, event, record, assets, and the refusals.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { releaseRevision } from '../../src/release/release-record.js';
import { show } from '../pipeline/helpers/cli.js';
import { createRepo, type PlanDocument } from './helpers.js';

describe('slipway release', { concurrency: 4 }, () => {
  test('publishes: CHANGELOG section by section, annotated tag, release commit, event, record', async (t) => {
    const repo = createRepo(t);
    repo.commit('chore: init', {
      'slipway.yaml': 'release:\n  repositoryUrl: https://github.com/acme/app\n',
      'CHANGELOG.md': '# Changelog\n\nHand-written intro.\n\n## [1.2.3] - 2023-01-01\n\n- old entry\n',
    });
    repo.tag('v1.2.3');
    const feat = repo.commit('feat(api)!: remove v1\n\nBREAKING CHANGE: /v1 is gone');
    const fix = repo.commit('fix(web): null check\n\nRefs: #42');
    const perf = repo.commit('perf: cache');
    repo.commit('docs: typo');
    const result = await repo.slipway(['release']);
    assert.equal(result.code, 0, show(result));
    assert.match(result.stdout, /released 2\.0\.0 \(major\) as v2\.0\.0/);

    const changelog = repo.read('CHANGELOG.md');
    const today = new Date().toISOString().slice(0, 10);
    const [intro, newest, older] = changelog.split(/\n(?=## )/);
    assert.equal(intro, '# Changelog\n\nHand-written intro.\n');
    const sections = newest!.split(/\n(?=### )/);
    const link = (sha: string) => `[${sha.slice(0, 7)}](https://github.com/acme/app/commit/${sha})`;
    assert.deepEqual(sections, [
      `## [2.0.0](https://github.com/acme/app/compare/v1.2.3...v2.0.0) - ${today}\n`,
      `### Breaking changes\n\n- **api:** /v1 is gone (${link(feat)})\n`,
      `### Features\n\n- **api:** remove v1 (${link(feat)})\n`,
      `### Fixes\n\n- **web:** null check (${link(fix)}, refs #42)\n`,
      `### Performance\n\n- cache (${link(perf)})\n`,
    ]);
    assert.equal(older, '## [1.2.3] - 2023-01-01\n\n- old entry\n');

    assert.equal(repo.git('cat-file', '-t', 'v2.0.0'), 'tag', 'an annotated tag');
    assert.equal(repo.git('log', '-1', '--format=%s', 'v2.0.0'), 'chore(release): 2.0.0');
    assert.equal(repo.git('rev-parse', 'v2.0.0^{commit}'), repo.git('rev-parse', 'HEAD'));
    const tagMessage = repo.git('tag', '-l', '--format=%(contents)', 'v2.0.0');
    assert.match(
      tagMessage,
      /^v2\.0\.0\n\n4 commits: 1 feature, 1 fix, 1 performance improvement and 1 other change\./,
    );
    assert.match(tagMessage, /### Breaking changes/);
    assert.equal(repo.git('status', '--porcelain', '--untracked-files=no'), '', 'the tree is clean after');

    const events = await repo.slipway(['events', '--json', '--type', 'release.published']);
    assert.equal(events.code, 0, show(events));
    const event = JSON.parse(events.stdout.trim().split('\n')[0]!);
    assert.equal(event.subject, 'v2.0.0');
    assert.equal(event.commitSha, repo.git('rev-parse', 'HEAD'));
    assert.equal(event.data.version, '2.0.0');
    assert.equal(event.data.previous, '1.2.3');

    const list = await repo.json<{ tag: string; version: string }[]>(['releases']);
    assert.deepEqual(
      list.map((r) => r.tag),
      ['v2.0.0'],
    );
    const shown = await repo.slipway(['release', 'show', 'v2.0.0']);
    assert.equal(shown.code, 0, show(shown));
    assert.match(shown.stdout, /### Features/);
    assert.match(shown.stdout, /assets: none/);

    const again = await repo.json<PlanDocument>(['release', '--dry-run']);
    assert.equal(again.previous, '2.0.0');
    assert.equal(again.next, null, 'the release commit itself warrants no release');
  });

  test('a dirty worktree is refused (exit 2); --dry-run still works', async (t) => {
    const repo = createRepo(t);
    repo.commit('feat: a', { 'a.txt': '1\n' });
    repo.write('a.txt', '2\n');
    const result = await repo.slipway(['release']);
    assert.equal(result.code, 2, show(result));
    assert.match(result.stderr, /uncommitted changes; commit or stash them first/);
    assert.doesNotMatch(result.stderr, /at .*\.js/, 'no stack');
    assert.equal(repo.git('tag', '--list'), '');
    const dry = await repo.slipway(['release', '--dry-run']);
    assert.equal(dry.code, 0, show(dry));
  });

  test('no git repository: exit 2 with a message', async (t) => {
    const repo = createRepo(t, { init: false });
    const result = await repo.slipway(['release', '--dry-run']);
    assert.equal(result.code, 2, show(result));
    assert.match(result.stderr, /is not in a git repository/);
  });

  test('a shallow clone without the last tag says so and how to fix it', async (t) => {
    const origin = createRepo(t);
    origin.commit('chore: init');
    origin.tag('v1.0.0');
    origin.commit('feat: a');
    origin.commit('fix: b');
    const clone = createRepo(t, { init: false });
    clone.git('clone', '-q', '--depth', '1', '--no-tags', `file://${origin.dir}`, '.');
    const result = await clone.slipway(['release', '--dry-run']);
    assert.equal(result.code, 2, show(result));
    assert.match(result.stderr, /shallow clone/);
    assert.match(result.stderr, /git fetch --unshallow --tags/);
    clone.git('fetch', '-q', '--unshallow', '--tags');
    const plan = await clone.json<PlanDocument>(['release', '--dry-run']);
    assert.equal(plan.next, '1.1.0');
  });

  test('prereleases: rc.1, then rc.2, then the full release', async (t) => {
    const repo = createRepo(t);
    repo.commit('chore: init');
    repo.tag('v1.2.0');
    repo.commit('feat: a');
    const rc1 = await repo.slipway(['release', '--prerelease', 'rc']);
    assert.equal(rc1.code, 0, show(rc1));
    assert.match(rc1.stdout, /released 1\.3\.0-rc\.1/);
    const same = await repo.json<PlanDocument>(['release', '--dry-run', '--prerelease', 'rc']);
    assert.equal(same.next, null, 'nothing new since rc.1');
    repo.commit('fix: b');
    const rc2 = await repo.json<PlanDocument>(['release', '--prerelease', 'rc']);
    assert.equal(rc2.next, '1.3.0-rc.2');
    assert.equal(rc2.previous, '1.3.0-rc.1');
    const full = await repo.json<PlanDocument>(['release']);
    assert.equal(full.next, '1.3.0');
    assert.equal(full.previous, '1.2.0');
    // Tag dates have one-second resolution, so the tags are compared as a set.
    assert.deepEqual(repo.git('tag', '--list').split('\n').sort(), [
      'v1.2.0',
      'v1.3.0',
      'v1.3.0-rc.1',
      'v1.3.0-rc.2',
    ]);
    const bad = await repo.slipway(['release', '--dry-run', '--prerelease', 'r c']);
    assert.equal(bad.code, 2, show(bad));
  });

  test('monorepo packages are versioned from the commits that touch their path', async (t) => {
    const repo = createRepo(t);
    repo.commit('chore: init', {
      'slipway.yaml':
        'release:\n  packages:\n    - { name: api, path: services/api }\n    - { name: web, path: services/web }\n',
      'services/api/index.js': '1\n',
      'services/web/index.js': '1\n',
    });
    repo.tag('api-v1.0.0');
    repo.tag('web-v2.0.0');
    repo.tag('v9.9.9');
    repo.commit('feat(api): endpoint', { 'services/api/index.js': '2\n' });
    repo.commit('fix(web): style', { 'services/web/index.js': '2\n' });
    repo.commit('feat: root only', { 'README.md': 'x\n' });
    const api = await repo.json<PlanDocument>(['release', '--dry-run', '--package', 'api']);
    assert.deepEqual([api.previous, api.next, api.tag], ['1.0.0', '1.1.0', 'api-v1.1.0']);
    assert.deepEqual(
      api.commits.map((c) => c.subject),
      ['endpoint'],
    );
    const web = await repo.json<PlanDocument>(['release', '--package', 'web']);
    assert.deepEqual([web.previous, web.next, web.tag], ['2.0.0', '2.0.1', 'web-v2.0.1']);
    assert.equal(repo.git('cat-file', '-t', 'web-v2.0.1'), 'tag');
    assert.match(repo.read('services/web/CHANGELOG.md'), /## \[2\.0\.1\]/);
    assert.equal(existsSync(join(repo.dir, 'CHANGELOG.md')), false);
    const missing = await repo.slipway(['release', '--dry-run']);
    assert.equal(missing.code, 2, show(missing));
    assert.match(missing.stderr, /pass --package NAME/);
    const unknown = await repo.slipway(['release', '--dry-run', '--package', 'nope']);
    assert.equal(unknown.code, 2, show(unknown));
  });

  test('assets are stored content-addressed with SHA256SUMS; download verifies and refuses a corrupted file', async (t) => {
    const repo = createRepo(t);
    repo.commit('chore: init', {
      'slipway.yaml': "release:\n  assets: ['dist/*.tgz']\n",
      '.gitignore': 'dist/\n.slipway/\n',
    });
    repo.tag('v1.0.0');
    repo.commit('feat: packaged');
    repo.write('dist/app.tgz', 'app bytes');
    repo.write('dist/lib.tgz', 'lib bytes');
    const published = await repo.json<{ assets: { name: string; sha256: string }[] }>(['release']);
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    assert.deepEqual(
      published.assets.map((a) => [a.name, a.sha256]),
      [
        ['app.tgz', sha('app bytes')],
        ['lib.tgz', sha('lib bytes')],
      ],
    );
    const blob = join(repo.dir, '.slipway', 'assets', 'sha256', sha('app bytes'));
    assert.equal(readFileSync(blob, 'utf8'), 'app bytes');
    assert.equal(
      readFileSync(join(repo.dir, '.slipway', 'releases', 'v1.1.0', 'SHA256SUMS'), 'utf8'),
      `${sha('app bytes')}  app.tgz\n${sha('lib bytes')}  lib.tgz\n`,
    );
    const shown = await repo.slipway(['release', 'show', 'v1.1.0']);
    assert.match(shown.stdout, new RegExp(`${sha('lib bytes')}  lib\\.tgz`));

    const ok = await repo.slipway(['release', 'download', 'v1.1.0', '--out', 'out']);
    assert.equal(ok.code, 0, show(ok));
    assert.equal(repo.read('out/app.tgz'), 'app bytes');
    assert.equal(repo.read('out/lib.tgz'), 'lib bytes');
    assert.match(repo.read('out/SHA256SUMS'), /app\.tgz/);

    writeFileSync(blob, 'tampered');
    const bad = await repo.slipway(['release', 'download', 'v1.1.0', '--out', 'bad']);
    assert.equal(bad.code, 1, show(bad));
    assert.match(bad.stderr, /checksum mismatch, refused: app\.tgz/);
    assert.equal(existsSync(join(repo.dir, 'bad', 'app.tgz')), false, 'the corrupted file is not written');
    assert.deepEqual(readdirSync(join(repo.dir, 'bad')), ['lib.tgz'], 'no partial file is left');
    const unknown = await repo.slipway(['release', 'show', 'v7.0.0']);
    assert.equal(unknown.code, 2, show(unknown));
  });

  test('summarize command: its output is the summary; failure and timeout fall back with a warning', async (t) => {
    const repo = createRepo(t);
    repo.commit('chore: init');
    repo.tag('v1.0.0');
    repo.commit('feat: thing');
    const withCommand = (command: string, timeout = '5s') =>
      repo.write(
        'slipway.yaml',
        `release:\n  summarize: { command: ${JSON.stringify(command)}, timeout: ${timeout} }\n`,
      );

    withCommand("printf 'Summary from %s lines' \"$(wc -l | tr -d ' ')\"");
    const ok = await repo.json<PlanDocument>(['release', '--dry-run']);
    assert.match(ok.notes, /^Summary from \d+ lines\n\n### Features\n/);

    withCommand('echo broken >&2; exit 3');
    const failed = await repo.slipway(['release', '--dry-run', '--json']);
    assert.equal(failed.code, 0, show(failed));
    assert.match(
      failed.stderr,
      /warning: summarize command exited with 3: broken; using the built-in summary/,
    );
    assert.match(JSON.parse(failed.stdout).notes, /^1 commit: 1 feature\./);

    withCommand('sleep 20', '300ms');
    const started = Date.now();
    const slow = await repo.slipway(['release', '--dry-run', '--json']);
    assert.equal(slow.code, 0, show(slow));
    assert.ok(Date.now() - started < 10_000, 'the slow command was stopped');
    assert.match(slow.stderr, /summarize command timed out after 300ms/);
    assert.match(JSON.parse(slow.stdout).notes, /^1 commit: 1 feature\./);
  });

  test('records the revision of each service built from the release, for rollback', async (t) => {
    const repo = createRepo(t);
    repo.commit('chore: init', {
      'slipway.yaml': 'services:\n  web:\n    run: node server.js\n    source: app\n',
      'app/server.js': 'console.log(1)\n',
      '.gitignore': '.slipway/\n',
    });
    repo.tag('v1.0.0');
    repo.commit('fix: server', { 'app/server.js': 'console.log(2)\n' });
    const published = await repo.json<{ revisions: Record<string, string>; tag: string }>(['release']);
    const revision = published.revisions.web;
    assert.ok(revision, 'a revision is recorded');
    assert.equal(releaseRevision(join(repo.dir, '.slipway'), 'v1.0.1', 'web'), revision);
    assert.ok(existsSync(join(repo.dir, '.slipway', 'revisions', 'web', revision)));
    assert.equal(releaseRevision(join(repo.dir, '.slipway'), 'v1.0.1', 'api'), undefined);
  });
});
