// `slipway deploy` over a fleet end to end: six hosts (real sshd in network namespaces) in three
// regions of two, waves immediate, +2s and +4s, set up with `slipway host setup` and driven through
// the built CLI over SSH. A first deploy reaches every host in wave order; status shows every region
// and host; a revision broken in the second region fails its analysis there, the third region never
// starts and the first goes back; an unreachable host fails its wave naming the host; a rollback can
// target one region. Every host's router answers on the environment's port, checked over HTTP.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertHostsServe,
  type CliRun,
  FLEET_PORT,
  FLEET_REGIONS,
  type FleetProject,
  fleetProject,
  hostLoad,
  setUpHosts,
} from '../helpers/fleet-project.js';
import { createNamespaceHosts, type NamespaceHosts, namespaceHostsSkip } from '../helpers/namespace-hosts.js';

const REGIONS = FLEET_REGIONS.map((r) => r.region);
const HOSTS = FLEET_REGIONS.flatMap((r) => r.hosts);
const hostsOf = (region: string) => FLEET_REGIONS.find((r) => r.region === region)?.hosts ?? [];

/** A `fleet.*` event as `slipway events --json` prints it. */
interface FleetEvent {
  readonly type: string;
  readonly time: number;
  readonly data: { readonly fleet: string; readonly region?: string; readonly [key: string]: unknown };
}

/** A host as `slipway status --json` shows it. */
interface StatusHost {
  readonly host: string;
  readonly url: string | null;
  readonly revisions: readonly { id: string; weight: number; instances: number; ready: number }[];
  readonly healthy: boolean | null;
  readonly error?: string;
}

interface StatusJson {
  readonly service: string;
  readonly env: string;
  readonly regions: readonly {
    region: string;
    scope: string;
    traffic: number;
    rollout: { revision: string; phase: string } | null;
    hosts: readonly StatusHost[];
  }[];
}

/** Prints how long a command took (the test's runtime is mostly these). */
const note = (what: string, run: CliRun) => process.stderr.write(`  ${what}: ${run.ms} ms\n`);
const show = (run: CliRun) =>
  `exit ${run.code} after ${run.ms} ms\n--- stdout\n${run.out}\n--- stderr\n${run.err}`;

describe('slipway deploy over a fleet of six hosts in three regions', {
  timeout: 480_000,
  skip: namespaceHostsSkip(),
}, () => {
  let lab: NamespaceHosts;
  let project: FleetProject;
  /** The first revision, which every host serves after the first test. */
  let v1 = '';

  /** The fleet.* and fleetwave.* events of the latest fleet deploy, in order. */
  const lastFleetEvents = async (): Promise<FleetEvent[]> => {
    const types = [
      'fleet.started',
      'fleetwave.started',
      'fleetwave.completed',
      'fleetwave.failed',
      'fleet.completed',
      'fleet.failed',
    ];
    const run = await project.cli(['--json', 'events', '--type', ...types, '--limit', '1000']);
    assert.equal(run.code, 0, show(run));
    const events = run.out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as FleetEvent);
    const last = events.filter((e) => e.type === 'fleet.started').at(-1)?.data.fleet;
    assert.ok(last, `a fleet.started event: ${run.out}`);
    return events.filter((e) => e.data.fleet === last);
  };
  const status = async (): Promise<StatusJson> => {
    const run = await project.cli(['--json', 'status', 'web', '--env', 'production']);
    assert.equal(run.code, 0, show(run));
    return JSON.parse(run.out) as StatusJson;
  };
  /** Asserts that each host answers GET / with the fixture app's `hello <version>`. */
  const assertServes = (hosts: readonly string[], version: string) =>
    assertHostsServe(project, hosts, version);

  before(async () => {
    lab = await createNamespaceHosts(6);
    try {
      project = fleetProject(lab, join(lab.scratch, 'fleet'));
      project.writeConfig({ VERSION: 'v1' });
      const ms = await setUpHosts(project, HOSTS);
      process.stderr.write(`  six host setups in parallel: ${ms} ms\n`);
    } catch (error) {
      // The hosts go at once: the tests are cancelled, and nothing may outlive the file.
      await lab.cleanup();
      throw error;
    }
  });
  after(async () => {
    // Ends every process in the namespaces (sshd, the hosts' agents and their services) and the files.
    await lab?.cleanup();
  });

  test('a first deploy reaches every host, wave after wave at their offsets', async () => {
    const run = await project.cli(['deploy', 'web', '--env', 'production']);
    note('first deploy', run);
    assert.equal(run.code, 0, show(run));
    assert.match(run.out, /web \S+ serves production in every region/);
    const headings = run.out.split('\n').filter((line) => /^region \S+:$/.test(line));
    assert.deepEqual(
      headings,
      REGIONS.map((r) => `region ${r}:`),
      'each wave reports under its region',
    );
    await assertServes(HOSTS, 'v1');

    const events = await lastFleetEvents();
    const started = events.filter((e) => e.type === 'fleetwave.started');
    assert.deepEqual(
      started.map((e) => e.data.region),
      REGIONS,
    );
    // Offsets count from the deploy's start, when the first wave starts.
    const start = events.find((e) => e.type === 'fleet.started')?.time ?? Number.NaN;
    const [first, second, third] = started.map((e) => e.time - start);
    assert.ok(first! < 1_000, `wave 1 started ${first} ms after the deploy`);
    assert.ok(second! >= 2_000, `wave 2 started ${second} ms after the deploy`);
    assert.ok(third! >= 4_000, `wave 3 started ${third} ms after the deploy`);
    assert.deepEqual(
      started.map((e) => e.data.offsetMs),
      [0, 2_000, 4_000],
    );
    assert.equal(events.at(-1)?.type, 'fleet.completed');
  });

  test('status shows the three regions and the six hosts with the revision and ready instances', async () => {
    const json = await status();
    assert.deepEqual(
      json.regions.map((r) => [r.region, r.scope, r.hosts.map((h) => h.host)]),
      FLEET_REGIONS.map((r) => [r.region, `production@${r.region}`, [...r.hosts]]),
    );
    v1 = json.regions[0]?.rollout?.revision ?? '';
    assert.match(v1, /^r-[0-9a-f]{12}$/);
    for (const region of json.regions) {
      assert.equal(region.rollout?.revision, v1, region.region);
      assert.equal(region.rollout?.phase, 'completed', region.region);
      for (const host of region.hosts) {
        assert.equal(host.error, undefined, `${host.host}: ${host.error}`);
        const serving = host.revisions.filter((r) => r.weight > 0);
        assert.deepEqual(
          serving.map((r) => [r.id, r.weight, r.ready, r.instances]),
          [[v1, 100, 1, 1]],
          host.host,
        );
        assert.equal(host.url, project.url(host.host).slice(0, -1), host.host);
      }
    }
    const text = await project.cli(['status', 'web', '--env', 'production']);
    assert.equal(text.code, 0, show(text));
    for (const region of REGIONS)
      assert.match(text.out, new RegExp(`region ${region} \\(\\d+% of traffic\\)`));
    for (const host of HOSTS)
      assert.match(text.out, new RegExp(`${host} http://\\S+:${FLEET_PORT}, healthy`));
    assert.equal(text.out.match(/completed, step 2\/2/g)?.length, 3, text.out);
    assert.equal(
      text.out.match(new RegExp(`${v1} \\[stable\\] 100% of traffic, 1/1 ready`, 'g'))?.length,
      6,
      text.out,
    );
  });

  test('a revision failing its analysis in region 2 stops the waves; regions 1 and 2 serve the first revision again', async () => {
    const broken = hostsOf('eu-west').map((h) => project.hosts.get(h)?.address);
    project.writeConfig({ VERSION: 'v2', FAIL_ADDRESSES: broken.join(',') });
    const load = hostLoad(project, 90_000);
    const run = await project.cli(['deploy', 'web', '--env', 'production'], 90_000);
    const answers = await load.stop();
    note('deploy failing in region 2', run);
    assert.equal(run.code, 1, show(run));
    assert.match(run.out, /us-east: put back/);
    assert.match(run.out, /eu-west: rolled back - .*error_rate/);
    assert.match(run.out, /ap-south: skipped/);
    const failedAnswers = answers.filter((a) => a.status === 500);
    assert.ok(failedAnswers.length > 0, 'the broken revision answered some requests in eu-west');
    assert.ok(
      failedAnswers.every((a) => hostsOf('eu-west').includes(a.host as never)),
      `only eu-west failed requests: ${[...new Set(failedAnswers.map((a) => a.host))].join(', ')}`,
    );
    assert.ok(
      answers.some((a) => hostsOf('us-east').includes(a.host as never) && a.body.startsWith('hello v2 ')),
      'us-east served the new revision before it was put back',
    );
    assert.ok(!answers.some((a) => a.host.startsWith('aps-') && a.body.startsWith('hello v2 ')));

    await assertServes(HOSTS, 'v1');
    const events = await lastFleetEvents();
    assert.deepEqual(
      events.map((e) => [e.type, e.data.region ?? null]),
      [
        ['fleet.started', null],
        ['fleetwave.started', 'us-east'],
        ['fleetwave.completed', 'us-east'],
        ['fleetwave.started', 'eu-west'],
        ['fleetwave.failed', 'eu-west'],
        ['fleet.failed', 'eu-west'],
      ],
    );
    const json = await status();
    for (const region of json.regions)
      for (const host of region.hosts)
        assert.deepEqual(
          host.revisions.filter((r) => r.weight > 0).map((r) => [r.id, r.weight]),
          [[v1, 100]],
          host.host,
        );
  });

  test('an unreachable host fails its wave naming the host; nothing of the new revision runs', async () => {
    const down = 'euw-a';
    const host = project.hosts.get(down);
    assert.ok(host);
    project.writeConfig({ VERSION: 'v3' });
    lab.setLinkDown(host);
    let run: CliRun;
    try {
      run = await project.cli(['deploy', 'web', '--env', 'production'], 90_000);
    } finally {
      lab.setLinkUp(host);
    }
    note('deploy with a host down', run);
    assert.equal(run.code, 1, show(run));
    const output = run.out + run.err;
    assert.match(output, new RegExp(`eu-west: failed - .*${down}`));
    assert.match(
      output,
      new RegExp(
        `${down} \\(root@${host.address.replaceAll('.', '\\.')}.*(No route to host|timed out|unreachable)`,
      ),
    );
    assert.match(run.out, /us-east: put back/);
    assert.match(run.out, /ap-south: skipped/);
    await assertServes(HOSTS, 'v1');
    const json = await status();
    const euwB = json.regions.find((r) => r.region === 'eu-west')?.hosts.find((h) => h.host === 'euw-b');
    assert.ok(euwB);
    assert.deepEqual(
      euwB.revisions.filter((r) => r.instances > 0 || r.weight > 0).map((r) => r.id),
      [v1],
      'euw-b runs only the first revision',
    );
  });

  test('rollback --region acts on that region only; controls name what they cannot act on', async () => {
    const earlier = await status();
    const run = await project.cli(['rollback', 'web', '--env', 'production', '--region', 'us-east']);
    note('rollback of one region', run);
    assert.equal(run.code, 0, show(run));
    assert.match(run.out, /us-east: back on r-[0-9a-f]{12}/);
    assert.doesNotMatch(run.out, /eu-west|ap-south/);
    const later = await status();
    const serving = (json: StatusJson, region: string) =>
      json.regions
        .find((r) => r.region === region)
        ?.hosts.map((h) => h.revisions.filter((r) => r.weight > 0).map((r) => r.id));
    assert.notDeepEqual(serving(later, 'us-east'), serving(earlier, 'us-east'), 'us-east changed');
    for (const region of ['eu-west', 'ap-south']) {
      assert.deepEqual(serving(later, region), serving(earlier, region), `${region} is untouched`);
      assert.deepEqual(
        later.regions.find((r) => r.region === region)?.rollout,
        earlier.regions.find((r) => r.region === region)?.rollout,
      );
    }
    // The revision us-east served before the first one came back: the third, put back earlier.
    await assertServes(hostsOf('us-east'), 'v3');
    await assertServes(['eu-west', 'ap-south'].flatMap(hostsOf), 'v1');

    const idle = await project.cli(['pause', 'web', '--env', 'production', '--region', 'eu-west']);
    assert.equal(idle.code, 2, show(idle));
    assert.match(idle.err, /web has no rollout in progress in region eu-west of production/);
    const unknown = await project.cli(['rollback', 'web', '--env', 'production', '--region', 'mars']);
    assert.equal(unknown.code, 2, show(unknown));
    assert.match(unknown.err, /production has no region 'mars' \(regions: us-east, eu-west, ap-south\)/);
  });
  test('a flag change reaches the agent of every host of the fleet, each serving it over OFREP', async () => {
    const FLAGS = [
      'flags:',
      '  ofrep: { host: 0.0.0.0, port: 18016 }',
      '  flags:',
      '    banner: { state: ENABLED, variants: { on: true, off: false }, defaultVariant: "off" }',
    ].join('\n');
    project.writeConfig({ VERSION: 'v1' }, FLAGS);
    const evaluate = async (host: string) => {
      const address = project.hosts.get(host)?.address;
      const answer = await fetch(`http://${address}:18016/ofrep/v1/evaluate/flags/banner`, {
        method: 'POST',
        body: '{"context":{}}',
      });
      return ((await answer.json()) as { variant?: string }).variant;
    };
    const run = await project.cli(['--json', 'flags', 'set', 'banner', 'on']);
    note('flags set across the fleet', run);
    assert.equal(run.code, 0, show(run));
    const served = JSON.parse(run.out) as { served: { published: { host: string }[] } };
    assert.deepEqual(served.served.published.map((p) => p.host).sort(), [...HOSTS].sort());
    // Served when the command returns: every host answers the new variant at once.
    const started = Date.now();
    for (const host of HOSTS) assert.equal(await evaluate(host), 'on', host);
    assert.ok(Date.now() - started < 1000);
    const back = await project.cli(['flags', 'rollback', 'banner']);
    assert.equal(back.code, 0, show(back));
    for (const host of HOSTS) assert.equal(await evaluate(host), 'off', host);
  });
});
