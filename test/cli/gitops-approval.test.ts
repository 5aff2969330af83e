// `slipway gitops sync` into an environment behind `approval: manual_approval`: the sync waits for
// `slipway approve RUN ENV` as a pipeline's deploy does; a rejection is not asked again until a new
// commit or `--force`; a newer commit cancels the gate of the revision it replaces.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type WatchingProject, watchingProject } from '../gitops/desired-repository.js';
import { fixtureConfig, ndjson, type TestProject } from '../rollout/helpers.js';

const STRATEGY = '      blueGreen: { switchover: instant, scaleDownDelay: 0s }';
const GATED =
  'pipeline:\n  stages:\n    - name: deploy\n      environments:\n        - prod: { approval: manual_approval }\n';

describe('slipway gitops sync into a gated environment', { timeout: 180_000 }, () => {
  let project: TestProject;
  let commitYaml: WatchingProject['commit'];
  const commit = (version: string) =>
    commitYaml(fixtureConfig({ strategy: STRATEGY, instances: 1, version, extra: GATED }), `web ${version}`);
  type Applied = { status: string; run?: number; revision?: string; error?: string };
  const sync = (...flags: string[]) => {
    const out = project.cli('--json', 'gitops', 'sync', ...flags);
    const result = ndjson(out.stdout).find((line) => line.type === 'gitops.synced') as
      | { applied: Applied[] }
      | undefined;
    return { status: out.status, applied: result?.applied ?? [], stderr: out.stderr };
  };
  const live = () =>
    (ndjson(project.cli('--json', 'gitops', 'status').stdout)[0] as { apps: { live?: string }[] }).apps[0]
      ?.live;
  const run = (id: number) =>
    (
      JSON.parse(project.cli('--json', 'runs').stdout) as {
        id: number;
        status: string;
        pipeline: string;
        trigger: string;
      }[]
    ).find((r) => r.id === id);

  before(() => {
    ({ project, commit: commitYaml } = watchingProject());
  });
  after(async () => {
    await project?.cleanup();
  });

  test('a sync waits for the approval, and an approved sync deploys', () => {
    commit('v1');
    const first = sync();
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(
      first.applied.map((a) => a.status),
      ['waiting'],
    );
    const gate = first.applied[0]?.run ?? 0;
    assert.deepEqual(
      [run(gate)?.status, run(gate)?.pipeline, run(gate)?.trigger],
      ['waiting', 'gitops', 'gitops'],
    );
    assert.equal(live(), undefined, 'nothing deployed while the gate waits');
    const status = project.cli('gitops', 'status');
    assert.match(status.stdout, new RegExp(`waits for approval: slipway approve ${gate} prod`));
    const again = sync();
    assert.deepEqual(
      again.applied.map((a) => [a.status, a.run]),
      [['waiting', gate]],
      'the same gate, not a second one',
    );
    const events = ndjson(project.cli('--json', 'events', '--type', 'approval.requested').stdout);
    assert.equal(events.length, 1, 'one approval requested');

    const approve = project.cli('approve', String(gate), 'prod');
    assert.equal(approve.status, 0, approve.stdout + approve.stderr);
    assert.doesNotMatch(approve.stdout, /slipway resume/);
    const deployed = sync();
    assert.equal(deployed.status, 0, deployed.stderr);
    assert.deepEqual(
      deployed.applied.map((a) => [a.status, a.run]),
      [['completed', undefined]],
    );
    assert.equal(live(), deployed.applied[0]?.revision);
    assert.equal(run(gate)?.status, 'success');
    assert.equal(project.cli('approve', String(gate), 'prod').status, 2, 'an ended gate cannot be decided');
  });

  test('a rejected sync is not asked again until --force; a new commit cancels a waiting gate', () => {
    const before = live();
    commit('v2');
    const asked = sync().applied[0];
    assert.equal(asked?.status, 'waiting');
    const rejected = project.cli('reject', String(asked?.run), 'prod');
    assert.equal(rejected.status, 0, rejected.stdout + rejected.stderr);
    const refused = sync();
    assert.equal(refused.status, 1, 'a refused sync is a failed one');
    assert.deepEqual(
      refused.applied.map((a) => [a.status, a.run]),
      [['rejected', asked?.run]],
    );
    assert.match(refused.applied[0]?.error ?? '', /not approved \(tester\)/);
    assert.equal(run(asked?.run ?? 0)?.status, 'failure');
    assert.equal(sync().applied[0]?.run, asked?.run, 'not asked again for the same commit');
    assert.equal(live(), before, 'the rejected revision never served');

    const forced = sync('--force').applied[0];
    assert.equal(forced?.status, 'waiting');
    assert.notEqual(forced?.run, asked?.run, 'a forced sync asks again');
    commit('v3');
    const newer = sync().applied[0];
    assert.equal(newer?.status, 'waiting');
    assert.notEqual(newer?.revision, forced?.revision);
    assert.equal(run(forced?.run ?? 0)?.status, 'cancelled', 'the replaced revision no longer waits');
    const failed = ndjson(project.cli('--json', 'events', '--type', 'gitops.failed').stdout) as {
      data: { status?: string };
    }[];
    assert.deepEqual(
      failed.map((e) => e.data.status),
      ['rejected'],
      'the rejection is recorded once',
    );
  });
});
