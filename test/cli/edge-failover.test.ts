// `slipway edge` and `slipway failover` as users run them (bin/slipway.js, built), on a project
// whose slipway.yaml puts six namespace hosts in three regions: the edge splits requests between the
// regions by their shares, `failover --from` moves a region's share to the others at once and is
// recorded with its switch time, `--restore` brings it back in steps, rejected commands exit 1 with
// their reason, and without a running edge `failover` exits 2 saying how to start one.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { edgeSocketPath, edgeStatus } from '../../src/rollout/fleet/edge-client.js';
import type { StoredEvent } from '../../src/store/store.js';
import { createNamespaceHosts, type NamespaceHosts, namespaceHostsSkip } from '../helpers/namespace-hosts.js';
import { HAPROXY, skipWithout } from '../helpers/outside-program.js';
import { type LoadRecord, startRegionLoad } from '../helpers/region-load.js';
import { REGION_SERVER_PORT, type RegionServers, startRegionServers } from '../helpers/region-servers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/slipway.js');
const REGIONS = [
  { name: 'us', share: 0.4 },
  { name: 'eu', share: 0.3 },
  { name: 'ap', share: 0.3 },
];

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function slipway(cwd: string, ...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1', SLIPWAY_ACTOR: 'ops' }, timeout: 20_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** The config: two hosts per region, the environment serving on the region servers' port. */
function config(hosts: NamespaceHosts, strategy = 'manual'): string {
  const lines = ['hosts:'];
  hosts.hosts.forEach((host, i) => {
    const region = REGIONS[Math.floor(i / 2)]?.name;
    lines.push(`  ${host.name}: { address: ssh://root@${host.address}, region: ${region} }`);
  });
  lines.push(
    'regions:',
    '  primary: { region: us, deployment: immediate, traffic: 40% }',
    '  secondary:',
    "    - { region: eu, deployment: '+1m', traffic: 30% }",
    "    - { region: ap, deployment: '+2m', traffic: 30% }",
    `  failover: { strategy: ${strategy}, switchover_time: < 3s }`,
    'services:',
    '  web: { run: node server.mjs, source: app }',
    'environments:',
    `  production: { port: ${REGION_SERVER_PORT} }`,
    `  staging: { port: ${REGION_SERVER_PORT + 1} }`,
    '',
  );
  return lines.join('\n');
}

/** Runs bounded load on `url` for about `ms` and returns what it saw. */
async function loadFor(url: string, ms: number): Promise<readonly LoadRecord[]> {
  const load = startRegionLoad(url, {
    clients: 4,
    pauseMs: 2,
    maxRequests: 4000,
    maxMs: ms,
    requestTimeoutMs: 5000,
  });
  await sleep(ms);
  return load.stop();
}

function byRegion(records: readonly LoadRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) counts[record.region ?? '?'] = (counts[record.region ?? '?'] ?? 0) + 1;
  return counts;
}

describe('slipway edge and failover on namespace hosts', {
  timeout: 120_000,
  skip: namespaceHostsSkip(),
}, () => {
  let hosts: NamespaceHosts | undefined;
  let servers: RegionServers | undefined;
  let edge: ChildProcess | undefined;
  let project = '';
  let url = '';
  let out = '';
  let err = '';
  const edgeEvents = (): StoredEvent[] =>
    out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as StoredEvent & { event?: string })
      .filter((line) => line.event === undefined);
  const storedEvents = async (type: string): Promise<StoredEvent[]> => {
    const listed = await slipway(project, 'events', '--type', type, '--json');
    assert.equal(listed.code, 0, listed.stderr);
    return listed.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as StoredEvent);
  };

  /** Starts `slipway edge production --service web --json ARGS` and returns the URL it listens on. */
  const startEdge = async (...args: string[]): Promise<string> => {
    out = '';
    err = '';
    const child = spawn(
      process.execPath,
      [bin, 'edge', 'production', '--service', 'web', '--json', ...args],
      {
        cwd: project,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    edge = child;
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk;
    });
    const deadline = Date.now() + 15_000;
    while (!out.includes('"listening"')) {
      assert.ok(child.exitCode === null, `slipway edge exited ${child.exitCode}: ${err}`);
      assert.ok(Date.now() < deadline, `slipway edge did not listen: ${out} ${err}`);
      await sleep(50);
    }
    const listening = JSON.parse(out.split('\n').find((line) => line.includes('"listening"')) ?? '{}');
    assert.match(listening.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(listening.socket, edgeSocketPath(project, 'production'));
    return listening.url;
  };
  /** Stops the running edge with SIGINT and returns its exit code. */
  const stopEdge = async (): Promise<number | null | string> => {
    const child = edge as ChildProcess;
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    return Promise.race([exited, sleep(10_000).then(() => 'timeout')]);
  };

  before(async () => {
    assert.ok(existsSync(join(root, 'dist/bundle/main.js')), 'dist/ is not built: run npm run build first');
    hosts = await createNamespaceHosts(6);
    const lab = hosts;
    servers = await startRegionServers(
      lab.hosts.map((host, i) => ({ region: REGIONS[Math.floor(i / 2)]?.name ?? '', host })),
    );
    project = mkdtempSync(join(tmpdir(), 'slipway-edge-'));
    cpSync(join(root, 'test', 'platform', 'fixtures', 'app'), join(project, 'app'), { recursive: true });
    writeFileSync(join(project, 'slipway.yaml'), config(lab));
    url = await startEdge('--restore-step', '300ms', '--hold', '1s');
  });

  after(async () => {
    if (edge && edge.exitCode === null && edge.signalCode === null) {
      edge.kill('SIGKILL');
      await sleep(100);
    }
    await servers?.close();
    await hosts?.cleanup();
    if (project) rmSync(project, { recursive: true, force: true, maxRetries: 5 });
  });

  test('failover without a running edge for the environment exits 2 and says how to start one', async () => {
    const result = await slipway(project, 'failover', 'staging', '--from', 'us');
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /no edge runs for staging \(start one with: slipway edge staging --service S\)/,
    );
    const both = await slipway(project, 'failover', 'production');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /exactly one of --from REGION and --restore REGION/);
  });

  test('bad input to slipway edge is an error, exit 2', async () => {
    const env = await slipway(project, 'edge', 'nowhere', '--service', 'web');
    assert.equal(env.code, 2);
    assert.match(env.stderr, /no environment 'nowhere'/);
    const service = await slipway(project, 'edge', 'staging', '--service', 'api');
    assert.equal(service.code, 2);
    assert.match(service.stderr, /no service 'api'/);
    const second = await slipway(project, 'edge', 'production', '--service', 'web');
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, /an edge already answers/);
  });

  test('the edge serves every host of every region, in the configured proportions', async () => {
    const records = await loadFor(url, 2000);
    assert.ok(records.length > 300, `only ${records.length} requests`);
    assert.deepEqual(
      records.filter((r) => !r.ok),
      [],
    );
    assert.equal(new Set(records.map((r) => r.host)).size, 6);
    const counts = byRegion(records);
    for (const region of REGIONS) {
      const part = (counts[region.name] ?? 0) / records.length;
      assert.ok(
        Math.abs(part - region.share) < 0.08,
        `${region.name} got ${part}: ${JSON.stringify(counts)}`,
      );
    }
  });

  test('failover --from moves the region share to the others at once and records the switch', async () => {
    const result = await slipway(project, 'failover', 'production', '--from', 'eu', '--json');
    assert.equal(result.code, 0, result.stderr);
    const answer = JSON.parse(result.stdout);
    assert.equal(answer.status, 'accepted');
    assert.ok(answer.switch.switchMs >= 0 && answer.switch.switchMs < 3000, JSON.stringify(answer));
    assert.deepEqual(answer.switch.weightsAfter, { us: 57, eu: 0, ap: 43 });

    const records = await loadFor(url, 1500);
    assert.ok(records.length > 200, `only ${records.length} requests`);
    assert.deepEqual(
      records.filter((r) => !r.ok || r.region === 'eu'),
      [],
    );
    const status = await edgeStatus(edgeSocketPath(project, 'production'));
    const eu = status.regions.find((region) => region.name === 'eu');
    assert.equal(eu?.phase, 'failed_over');
    assert.equal(eu?.weight, 0);
    assert.equal(eu?.share, 30);

    const [event] = await storedEvents('region.failedover');
    assert.ok(event, 'no region.failedover event in the log');
    assert.equal(event.subject, 'eu');
    assert.equal(event.service, 'web');
    assert.equal(event.environment, 'production');
    assert.equal(event.actor, 'ops');
    assert.equal(event.data.reason, 'command');
    assert.equal(event.data.switchMs, answer.switch.switchMs);
    assert.deepEqual(event.data.weightsBefore, { us: 40, eu: 30, ap: 30 });
    assert.deepEqual(event.data.weightsAfter, { us: 57, eu: 0, ap: 43 });
    assert.ok(
      edgeEvents().some((e) => e.type === 'region.failedover' && e.subject === 'eu'),
      out,
    );

    const text = await slipway(project, 'failover', 'production', '--from', 'eu');
    assert.equal(text.code, 1);
    assert.match(text.stdout, /rejected \(already_failed_over\)/);
  });

  test('rejected commands exit 1 with their reason', async () => {
    const unknown = await slipway(project, 'failover', 'production', '--from', 'mars');
    assert.equal(unknown.code, 1, unknown.stderr);
    assert.match(unknown.stdout, /failover --from mars rejected \(unknown_region\): no region "mars"/);
    const inService = await slipway(project, 'failover', 'production', '--restore', 'us', '--json');
    assert.equal(inService.code, 1, inService.stderr);
    const answer = JSON.parse(inService.stdout);
    assert.equal(answer.status, 'rejected');
    assert.equal(answer.reason, 'not_failed_over');
  });

  test('failover --restore brings the region back in steps', async () => {
    const result = await slipway(project, 'failover', 'production', '--restore', 'eu');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /failover --restore eu accepted/);
    const deadline = Date.now() + 15_000;
    while (!edgeEvents().some((e) => e.type === 'region.restored')) {
      assert.ok(Date.now() < deadline, `eu was not restored: ${out} ${err}`);
      await sleep(100);
    }
    const restoring = await storedEvents('region.restoring');
    assert.deepEqual(
      restoring.map((e) => e.data.step),
      [1, 2, 3],
    );
    const [restored] = await storedEvents('region.restored');
    assert.equal(restored?.subject, 'eu');
    assert.deepEqual(restored?.data.weightsAfter, { us: 40, eu: 30, ap: 30 });

    const records = await loadFor(url, 1500);
    assert.deepEqual(
      records.filter((r) => !r.ok),
      [],
    );
    const part = (byRegion(records).eu ?? 0) / records.length;
    assert.ok(Math.abs(part - 0.3) < 0.08, `eu got ${part} after its restore`);
  });

  test('Ctrl-C stops the edge: exit 0, control socket removed', async () => {
    const code = await stopEdge();
    assert.equal(code, 0, err);
    assert.ok(!existsSync(edgeSocketPath(project, 'production')));
    const after = await slipway(project, 'failover', 'production', '--from', 'eu');
    assert.equal(after.code, 2);
  });

  test('with --director haproxy the same commands drive HAProxy', {
    skip: skipWithout(HAPROXY),
  }, async () => {
    url = await startEdge('--director', 'haproxy');
    try {
      const records = await loadFor(url, 1500);
      assert.ok(records.length > 200, `only ${records.length} requests`);
      assert.deepEqual(
        records.filter((r) => !r.ok),
        [],
      );
      assert.deepEqual(new Set(records.map((r) => r.region)), new Set(['us', 'eu', 'ap']));
      const result = await slipway(project, 'failover', 'production', '--from', 'ap');
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stdout,
        /failover --from ap accepted: ap's share moved to the other regions in \d+ ms \(weights us 57, eu 43, ap 0\)/,
      );
      const after = await loadFor(url, 1500);
      assert.ok(after.length > 200, `only ${after.length} requests`);
      assert.deepEqual(
        after.filter((r) => !r.ok || r.region === 'ap'),
        [],
      );
    } finally {
      assert.equal(await stopEdge(), 0, err);
    }
    assert.ok(!existsSync(edgeSocketPath(project, 'production')));
  });

  test('with strategy automatic the edge fails a cut region over on its own and records why', async () => {
    const lab = hosts as NamespaceHosts;
    writeFileSync(join(project, 'slipway.yaml'), config(lab, 'automatic'));
    url = await startEdge();
    const cut = lab.hosts.slice(0, 2);
    try {
      for (const host of cut) lab.setLinkDown(host);
      const deadline = Date.now() + 10_000;
      while (!edgeEvents().some((e) => e.type === 'region.failedover' && e.subject === 'us')) {
        assert.ok(Date.now() < deadline, `us did not fail over: ${out} ${err}`);
        await sleep(100);
      }
      const event = edgeEvents().find((e) => e.type === 'region.failedover' && e.subject === 'us');
      assert.equal(event?.actor, 'slipway');
      assert.equal(event?.data.mode, 'automatic');
      assert.equal(event?.data.reason, 'unhealthy');
      assert.ok((event?.data.switchMs as number) < 3000, JSON.stringify(event));
      assert.deepEqual(event?.data.weightsAfter, { us: 0, eu: 50, ap: 50 });
      const records = await loadFor(url, 1000);
      assert.deepEqual(
        records.filter((r) => !r.ok || r.region === 'us'),
        [],
      );
    } finally {
      for (const host of cut) lab.setLinkUp(host);
      assert.equal(await stopEdge(), 0, err);
    }
  });
});
