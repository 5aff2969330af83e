// `slipway gitops` over a fleet: six hosts (real sshd in network namespaces) in three regions, the
// desired state in a real git repository (the project's own, watched at its path `/`). Each region
// is an application of its own; a sync is one fleet deploy in wave order; a region rolled back by
// hand is healed; a retired service is pruned from every host.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertHostsServe,
  type CliRun,
  FLEET_REGIONS,
  type FleetProject,
  fleetProject,
  getHost,
  setUpHosts,
} from '../helpers/fleet-project.js';
import { createNamespaceHosts, type NamespaceHosts, namespaceHostsSkip } from '../helpers/namespace-hosts.js';

const HOSTS = FLEET_REGIONS.flatMap((r) => r.hosts);
const SCOPES = FLEET_REGIONS.map((r) => `production@${r.region}`);
const GITOPS =
  'gitops:\n  repository: { url: ., branch: main, path: / }\n  sync: { interval: 30s, prune: true, selfHeal: true }\n';

const show = (run: CliRun) =>
  `exit ${run.code} after ${run.ms} ms\n--- stdout\n${run.out}\n--- stderr\n${run.err}`;

interface App {
  readonly service: string;
  readonly env: string;
  readonly sync: string;
  readonly health: string;
  readonly live?: string;
  readonly revision?: string;
  readonly action: { readonly kind: string };
}

describe('slipway gitops over a fleet of six hosts in three regions', {
  timeout: 480_000,
  skip: namespaceHostsSkip(),
}, () => {
  let lab: NamespaceHosts;
  let project: FleetProject;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', ...args], {
      cwd: project.dir,
      encoding: 'utf8',
    });
  /** Writes the config for `version` (with the gitops section) and commits it. */
  const commit = (version: string, services = true) => {
    project.writeConfig({ VERSION: version });
    const file = join(project.dir, 'slipway.yaml');
    let yaml = readFileSync(file, 'utf8') + GITOPS;
    if (!services) yaml = yaml.replace(/services:\n(?: {2,}.*\n)+/, '');
    writeFileSync(file, yaml);
    git('add', '-A');
    git('commit', '--quiet', '-m', `web ${version}`);
  };
  const status = async (): Promise<App[]> => {
    const run = await project.cli(['--json', 'gitops', 'status']);
    assert.equal(run.code, 0, show(run));
    return (JSON.parse(run.out.trim().split('\n')[0] ?? '{}') as { apps: App[] }).apps;
  };
  const assertServes = (version: string) => assertHostsServe(project, HOSTS, version);

  before(async () => {
    lab = await createNamespaceHosts(6);
    try {
      project = fleetProject(lab, join(lab.scratch, 'gitops-fleet'));
      writeFileSync(join(project.dir, '.gitignore'), '.slipway/\n');
      execFileSync('git', ['init', '--quiet', '--initial-branch=main', project.dir]);
      commit('v1');
      await setUpHosts(project, HOSTS);
    } catch (error) {
      await lab.cleanup();
      throw error;
    }
  });
  after(async () => {
    await lab?.cleanup();
  });

  test('each region is an application; a sync is one fleet deploy in wave order', async () => {
    const first = await status();
    assert.deepEqual(
      first.map((a) => [a.env, a.sync, a.health, a.action.kind]),
      SCOPES.map((scope) => [scope, 'OutOfSync', 'Missing', 'sync']),
    );
    const sync = await project.cli(['--json', 'gitops', 'sync'], 180_000);
    assert.equal(sync.code, 0, show(sync));
    const result = sync.out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; applied?: { env: string; status: string }[] })
      .find((line) => line.type === 'gitops.synced');
    assert.deepEqual(
      result?.applied?.map((a) => [a.env, a.status]),
      SCOPES.map((scope) => [scope, 'completed']),
    );
    await assertServes('v1');
    const events = await project.cli(['--json', 'events', '--type', 'fleet.started', 'fleet.completed']);
    assert.equal(events.out.trim().split('\n').length, 2, 'one fleet deploy for the three regions');
    const after = await status();
    assert.deepEqual(
      after.map((a) => [a.sync, a.health, a.live === a.revision]),
      SCOPES.map(() => ['Synced', 'Healthy', true]),
    );
  });

  test('a new commit rolls out to every region', async () => {
    commit('v2');
    const sync = await project.cli(['gitops', 'sync'], 180_000);
    assert.equal(sync.code, 0, show(sync));
    await assertServes('v2');
    assert.ok((await status()).every((a) => a.sync === 'Synced'));
  });

  test('a region rolled back by hand is drift, and the next pass heals it', async () => {
    const region = FLEET_REGIONS[1].region;
    const back = await project.cli(['rollback', 'web', '--env', 'production', '--region', region], 120_000);
    assert.equal(back.code, 0, show(back));
    const drifted = await status();
    assert.deepEqual(
      drifted.map((a) => [a.env, a.sync, a.action.kind]),
      SCOPES.map((scope) =>
        scope.endsWith(region) ? [scope, 'OutOfSync', 'heal'] : [scope, 'Synced', 'none'],
      ),
    );
    const heal = await project.cli(['gitops', 'sync'], 180_000);
    assert.equal(heal.code, 0, show(heal));
    assert.match(heal.out, new RegExp(`web@production@${region}: heal r-[0-9a-f]{12} completed`));
    await assertServes('v2');
  });

  test('a service no longer desired is pruned from every region', async () => {
    commit('v3', false);
    const orphans = await status();
    assert.deepEqual(
      orphans.map((a) => [a.env, a.action.kind]).sort(),
      SCOPES.map((scope) => [scope, 'prune']).sort(),
      'orphans are listed by name',
    );
    const prune = await project.cli(['gitops', 'sync'], 120_000);
    assert.equal(prune.code, 0, show(prune));
    assert.deepEqual(await status(), []);
    const answers = await Promise.all(HOSTS.map((h) => getHost(project, h, 1_000)));
    assert.ok(
      answers.every((a) => a.status !== 200),
      `nothing serves: ${answers.map((a) => `${a.host} ${a.status}`).join(', ')}`,
    );
  });
});
