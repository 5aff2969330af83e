// `slipway gitops status|diff|sync` against a real git repository holding the desired state in a
// branch and path, deploying through the local agent: a first sync, a new commit, a prune.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type WatchingProject, watchingProject } from '../gitops/desired-repository.js';
import { fixtureConfig, ndjson, type TestProject } from '../rollout/helpers.js';

const STRATEGY = '      blueGreen: { switchover: instant, scaleDownDelay: 0s }';

describe('slipway gitops', { timeout: 180_000 }, () => {
  let project: TestProject;
  let commit: WatchingProject['commit'];
  type App = {
    service: string;
    env: string;
    sync: string;
    health: string;
    live?: string;
    revision?: string;
    action: { kind: string };
  };
  const status = (): { commit: { commit: string }; apps: App[] } => {
    const out = project.cli('--json', 'gitops', 'status');
    assert.equal(out.status, 0, out.stderr);
    return ndjson(out.stdout)[0] as never;
  };

  before(() => {
    ({ project, commit } = watchingProject());
  });
  after(async () => {
    await project?.cleanup();
  });

  test('a first sync deploys the desired revision; then it is Synced and Healthy', () => {
    const sha = commit(fixtureConfig({ strategy: STRATEGY, instances: 1 }), 'web v1');
    const first = status();
    assert.equal(first.commit.commit, sha);
    assert.deepEqual(
      first.apps.map((a) => [a.service, a.env, a.sync, a.health, a.action.kind]),
      [['web', 'prod', 'OutOfSync', 'Missing', 'sync']],
    );
    const diff = project.cli('gitops', 'diff');
    assert.equal(diff.status, 1, 'out of sync: exit 1');
    assert.match(diff.stdout, /not running; wants r-[0-9a-f]{12} with 1 instance/);
    const sync = project.cli('gitops', 'sync');
    assert.equal(sync.status, 0, sync.stdout + sync.stderr);
    assert.match(sync.stdout, /web@prod: sync r-[0-9a-f]{12} completed/);
    const after = status();
    assert.deepEqual(
      after.apps.map((a) => [a.sync, a.health, a.live === a.revision, a.action.kind]),
      [['Synced', 'Healthy', true, 'none']],
    );
    assert.equal(project.cli('gitops', 'diff').status, 0, 'in sync: exit 0');
  });

  test('a new commit is OutOfSync with its diff, and a sync rolls it out', () => {
    const before = status().apps[0]?.live;
    const sha = commit(fixtureConfig({ strategy: STRATEGY, instances: 1, version: 'v2' }), 'web v2');
    const diff = project.cli('gitops', 'diff');
    assert.equal(diff.status, 1);
    assert.match(diff.stdout, new RegExp(`revision: ${before} 100% -> r-[0-9a-f]{12} 100%`));
    const sync = project.cli('--json', 'gitops', 'sync');
    assert.equal(sync.status, 0, sync.stdout + sync.stderr);
    const now = status();
    assert.equal(now.commit.commit, sha);
    assert.notEqual(now.apps[0]?.live, before);
    assert.equal(now.apps[0]?.sync, 'Synced');
    const events = ndjson(project.cli('--json', 'events', '--type', 'gitops.synced').stdout);
    assert.ok(events.length >= 2, JSON.stringify(events));
    // The deploy records the commit it brings, read from the mirror (the unpacked tree is no repository).
    const upgraded = ndjson(project.cli('--json', 'events', '--type', 'service.upgraded').stdout).at(-1);
    assert.ok(upgraded, 'the sync recorded service.upgraded');
    const deploy = (
      upgraded.data as { deploy?: { result: string; changes: { sha: string; time: number }[] } }
    ).deploy;
    assert.equal(deploy?.result, 'completed');
    assert.deepEqual(
      deploy?.changes.map((c) => c.sha),
      [sha],
    );
    assert.ok(Math.abs((deploy?.changes[0]?.time ?? 0) - Date.now()) < 120_000);
  });

  test('a manual rollback is drift: the next pass heals it (selfHeal: true)', () => {
    const applied = status().apps[0]?.live;
    const back = project.cli('rollback', 'web', '--env', 'prod');
    assert.equal(back.status, 0, back.stdout + back.stderr);
    const drifted = status().apps[0];
    assert.notEqual(drifted?.live, applied, 'the rollback changed what serves');
    assert.deepEqual([drifted?.sync, drifted?.action.kind], ['OutOfSync', 'heal']);
    const sync = project.cli('gitops', 'sync');
    assert.equal(sync.status, 0, sync.stdout + sync.stderr);
    assert.match(sync.stdout, /web@prod: heal r-[0-9a-f]{12} completed/);
    const healed = status().apps[0];
    assert.deepEqual([healed?.sync, healed?.live], ['Synced', applied]);
  });

  test('history lists what the passes applied; suspend and resume are recorded', () => {
    const history = project.cli('gitops', 'history');
    assert.equal(history.status, 0, history.stderr);
    const lines = history.stdout.trim().split('\n');
    assert.equal(lines.length, 3, history.stdout);
    assert.match(lines[0] ?? '', /synced +web@prod r-[0-9a-f]{12} from [0-9a-f]{12} web v2 \(tester\)/);
    assert.match(lines[2] ?? '', /web v1/);
    assert.match(
      project.cli('gitops', 'suspend', '--reason', 'freeze').stdout,
      /automatic passes are suspended/,
    );
    assert.match(project.cli('gitops', 'suspend').stdout, /already suspended/);
    const suspended = ndjson(project.cli('--json', 'gitops', 'status').stdout)[0] as {
      suspended: { reason: string };
    };
    assert.equal(suspended.suspended.reason, 'freeze');
    assert.match(project.cli('gitops', 'resume').stdout, /automatic passes are running/);
    assert.equal(
      (ndjson(project.cli('--json', 'gitops', 'status').stdout)[0] as { suspended: unknown }).suspended,
      null,
    );
  });

  test('a service no longer desired is pruned (prune: true)', () => {
    commit('version: 1\nenvironments:\n  prod: {}\n', 'retire web');
    const orphan = status().apps;
    assert.deepEqual(
      orphan.map((a) => [a.service, a.sync, a.action.kind]),
      [['web', 'OutOfSync', 'prune']],
    );
    const sync = project.cli('gitops', 'sync');
    assert.equal(sync.status, 0, sync.stdout + sync.stderr);
    assert.match(sync.stdout, /web@prod: prune completed/);
    assert.deepEqual(status().apps, []);
  });

  test('a repository that cannot be fetched is an error naming it, and nothing is changed', () => {
    rmSync(join(project.dir, '.slipway', 'gitops'), { recursive: true, force: true });
    project.edit('url: desired', 'url: missing-repo');
    const out = project.cli('gitops', 'status');
    assert.equal(out.status, 1);
    assert.match(out.stderr, /git could not fetch .*missing-repo/);
  });
});
