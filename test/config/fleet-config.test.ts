// The fleet part of the config language: `hosts:` and `regions:` at the top level and inside an
// environment, what they resolve to, every mistake at its exact line:col, and configs without hosts
// resolving exactly as they did before the fleet existed (test/config/fixtures/resolved-without-hosts.json
// was written by the loader before this feature).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { formatDiagnostic } from '../../src/config/diagnostic.js';
import { loadConfigText } from '../../src/config/load-config.js';
import type { ResolvedFleet, ResolvedHost } from '../../src/config/resolved.js';
import { parseSshAddress } from '../../src/config/ssh-address.js';

const root = new URL('../../', import.meta.url);
const render = (text: string) =>
  loadConfigText(text).diagnostics.map((d) => formatDiagnostic('slipway.yaml', d));

const SEED = `hosts:
  use1-a: { address: ssh://deploy@10.1.0.11, region: us-east-1 }
  use1-b: { address: ssh://deploy@10.1.0.12:2222, region: us-east-1, dir: /srv/slipway }
  euw1-a: { address: ssh://deploy@10.2.0.11, region: eu-west-1 }
  apse1-a: { address: ssh://10.3.0.11, region: ap-southeast-1 }
regions:
  primary:
    region: us-east-1
    deployment: immediate
    traffic: 40%
  secondary:
    - region: eu-west-1
      deployment: '+5m'
      traffic: 30%
    - region: ap-southeast-1
      deployment: '+10m'
      traffic: 30%
  failover:
    strategy: automatic
    health_threshold: 95%
    switchover_time: < 30s
`;
const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : `${by}${line}`))
    .join('\n');

const seedHosts = (base: readonly string[]): Record<string, ResolvedHost> => ({
  'use1-a': {
    name: 'use1-a',
    address: { user: 'deploy', host: '10.1.0.11' },
    region: 'us-east-1',
    dir: '~/.slipway',
    path: [...base, 'use1-a'],
  },
  'use1-b': {
    name: 'use1-b',
    address: { user: 'deploy', host: '10.1.0.12', port: 2222 },
    region: 'us-east-1',
    dir: '/srv/slipway',
    path: [...base, 'use1-b'],
  },
  'euw1-a': {
    name: 'euw1-a',
    address: { user: 'deploy', host: '10.2.0.11' },
    region: 'eu-west-1',
    dir: '~/.slipway',
    path: [...base, 'euw1-a'],
  },
  'apse1-a': {
    name: 'apse1-a',
    address: { host: '10.3.0.11' },
    region: 'ap-southeast-1',
    dir: '~/.slipway',
    path: [...base, 'apse1-a'],
  },
});

const seedFleet = (rollback: 'all' | 'region'): ResolvedFleet => ({
  regions: { 'us-east-1': ['use1-a', 'use1-b'], 'eu-west-1': ['euw1-a'], 'ap-southeast-1': ['apse1-a'] },
  waves: [
    { region: 'us-east-1', offsetMs: 0, traffic: 0.4 },
    { region: 'eu-west-1', offsetMs: 300_000, traffic: 0.3 },
    { region: 'ap-southeast-1', offsetMs: 600_000, traffic: 0.3 },
  ],
  failover: { strategy: 'automatic', healthThreshold: 0.95, switchoverMs: 30_000 },
  rollback,
});

// Plain data: what a run freezes into its plan must survive JSON unchanged.
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

test('fleet: the seed block at the top level validates and resolves to plain data', () => {
  const result = loadConfigText(`${SEED}environments:\n  production: { rollback: region }\n  staging: {}\n`);
  assert.deepEqual(result.diagnostics, []);
  const config = result.config!;
  assert.deepEqual(viaJson(config.hosts), seedHosts(['hosts']));
  assert.deepEqual(viaJson(config.environments.production!.fleet), seedFleet('region'));
  assert.deepEqual(viaJson(config.environments.staging!.fleet), seedFleet('all'));
});

test('fleet: the seed block inside an environment validates and resolves to plain data', () => {
  const result = loadConfigText(`environments:\n  production:\n${indent(SEED, '    ')}    rollback: all\n`);
  assert.deepEqual(result.diagnostics, []);
  const config = result.config!;
  assert.deepEqual(viaJson(config.hosts), seedHosts(['environments', 'production', 'hosts']));
  assert.deepEqual(viaJson(config.environments.production!.fleet), seedFleet('all'));
});

test('fleet: an environment limited to some hosts gets only their waves, with shares rescaled', () => {
  const result = loadConfigText(
    `${SEED}environments:\n  staging: { hosts: [euw1-a, use1-b] }\n  local: { hosts: [] }\n`,
  );
  assert.deepEqual(result.diagnostics, []);
  assert.deepEqual(viaJson(result.config!.environments.staging!.fleet), {
    regions: { 'us-east-1': ['use1-b'], 'eu-west-1': ['euw1-a'] },
    waves: [
      { region: 'us-east-1', offsetMs: 0, traffic: 40 / 70 },
      { region: 'eu-west-1', offsetMs: 300_000, traffic: 30 / 70 },
    ],
    failover: { strategy: 'automatic', healthThreshold: 0.95, switchoverMs: 30_000 },
    rollback: 'all',
  });
  assert.equal('fleet' in result.config!.environments.local!, false);
});

test('fleet: without `regions:` every region deploys at once and each host gets an equal share', () => {
  const result = loadConfigText(`hosts:
  a1: { address: 'ssh://deploy@[2001:db8::1]:22', region: r1 }
  a2: { address: ssh://deploy@a2.example.com, region: r1 }
  b1: { address: ssh://b1.example.com, region: r2 }
  c1: { address: ssh://c1.example.com, region: r3 }
environments:
  production: { regions: { primary: { region: r2, traffic: 100 } } }
  staging: {}
`);
  assert.deepEqual(result.diagnostics, []);
  const config = result.config!;
  assert.deepEqual(config.hosts!.a1!.address, { user: 'deploy', host: '2001:db8::1', port: 22 });
  assert.deepEqual(viaJson(config.environments.staging!.fleet), {
    regions: { r1: ['a1', 'a2'], r2: ['b1'], r3: ['c1'] },
    waves: [
      { region: 'r1', offsetMs: 0, traffic: 0.5 },
      { region: 'r2', offsetMs: 0, traffic: 0.25 },
      { region: 'r3', offsetMs: 0, traffic: 0.25 },
    ],
    failover: { strategy: 'manual', healthThreshold: 0.95, switchoverMs: 30_000 },
    rollback: 'all',
  });
  assert.deepEqual(viaJson(config.environments.production!.fleet), {
    regions: { r2: ['b1'] },
    waves: [{ region: 'r2', offsetMs: 0, traffic: 1 }],
    failover: { strategy: 'manual', healthThreshold: 0.95, switchoverMs: 30_000 },
    rollback: 'all',
  });
});

test('fleet: a config without hosts resolves exactly as it did before the fleet existed', () => {
  const before = JSON.parse(
    readFileSync(new URL('test/config/fixtures/resolved-without-hosts.json', root), 'utf8'),
  ) as Record<string, unknown>;
  assert.ok(Object.keys(before).length >= 4);
  for (const [file, resolved] of Object.entries(before)) {
    const result = loadConfigText(readFileSync(new URL(file, root), 'utf8'), 'baseline');
    assert.deepEqual(viaJson(result.config), resolved, file);
    assert.equal('hosts' in result.config!, false, file);
  }
});

// Each case: a config with one mistake and the exact diagnostic lines it must produce.
const HOSTS = `hosts:
  use1-a: { address: ssh://deploy@10.1.0.11, region: us-east-1 }
  euw1-a: { address: ssh://deploy@10.2.0.11, region: eu-west-1 }
`;
const INVALID: { name: string; yaml: string; expect: string[] }[] = [
  {
    name: 'traffic shares not adding up to 100%',
    yaml: `${HOSTS}regions:
  primary: { region: us-east-1, traffic: 40% }
  secondary:
    - { region: eu-west-1, deployment: '+5m', traffic: 50% }
`,
    expect: [
      'slipway.yaml:4:1: error: regions: the traffic shares of the waves add up to 90% (40% + 50%), not 100%',
    ],
  },
  {
    name: 'a region no host is in',
    yaml: `${HOSTS}regions:
  primary: { region: us-east-1, traffic: 60% }
  secondary:
    - { region: eu-west-2, deployment: '+5m', traffic: 40% }
`,
    expect: [
      "slipway.yaml:7:17: error: regions.secondary[0].region: unknown region 'eu-west-2': no host is in it (did you mean 'eu-west-1'?)",
    ],
  },
  {
    name: 'a region of regions: with no hosts declared at all',
    yaml: `regions:
  primary: { region: us-east-1, traffic: 100% }
`,
    expect: [
      "slipway.yaml:2:22: error: regions.primary.region: unknown region 'us-east-1': no host is in it (declare hosts under `hosts:`)",
    ],
  },
  {
    name: 'wave offsets not increasing',
    yaml: `${HOSTS}  apse1-a: { address: ssh://10.3.0.11, region: ap-southeast-1 }
regions:
  primary: { region: us-east-1, traffic: 40% }
  secondary:
    - { region: eu-west-1, deployment: '+10m', traffic: 30% }
    - { region: ap-southeast-1, deployment: '+5m', traffic: 30% }
`,
    expect: [
      "slipway.yaml:9:45: error: regions.secondary[1].deployment: each wave starts after the one before ('eu-west-1' at +10m), got +5m",
    ],
  },
  {
    name: 'a secondary wave starting with the primary',
    yaml: `${HOSTS}regions:
  primary: { region: us-east-1, traffic: 40% }
  secondary:
    - { region: eu-west-1, deployment: '+0s', traffic: 60% }
`,
    expect: [
      "slipway.yaml:7:40: error: regions.secondary[0].deployment: each wave starts after the one before ('us-east-1' at immediate), got immediate",
    ],
  },
  {
    name: 'the same region in two waves',
    yaml: `${HOSTS}regions:
  primary: { region: us-east-1, traffic: 40% }
  secondary:
    - { region: us-east-1, deployment: '+5m', traffic: 60% }
`,
    expect: [
      "slipway.yaml:7:17: error: regions.secondary[0].region: region 'us-east-1' already has a wave (at 5:22)",
    ],
  },
  {
    name: 'a host without a region',
    yaml: `hosts:
  use1-a: { address: ssh://deploy@10.1.0.11 }
`,
    expect: ["slipway.yaml:2:3: error: hosts.use1-a: missing required key 'region'"],
  },
  {
    name: 'an environment naming an unknown host',
    yaml: `${HOSTS}environments:
  production:
    hosts:
      - use1-a
      - euw1-b
`,
    expect: [
      "slipway.yaml:8:9: error: environments.production.hosts[1]: unknown host 'euw1-b' (did you mean 'euw1-a'?)",
    ],
  },
  {
    name: 'an environment naming a host when there are none',
    yaml: `environments:
  production: { hosts: [web-1] }
`,
    expect: [
      "slipway.yaml:2:25: error: environments.production.hosts[0]: unknown host 'web-1' (declare it under top-level `hosts:`)",
    ],
  },
  {
    name: 'an address that is not ssh://',
    yaml: `hosts:
  use1-a: { address: 'https://10.1.0.11', region: us-east-1 }
`,
    expect: [
      "slipway.yaml:2:22: error: hosts.use1-a.address: expected an ssh:// address, got 'https://10.1.0.11' (write ssh://[user@]host[:port], e.g. ssh://deploy@10.1.0.11:2222)",
    ],
  },
  {
    name: 'an address with a bad port',
    yaml: `hosts:
  use1-a:
    address: ssh://deploy@10.1.0.11:0
    region: us-east-1
`,
    expect: [
      "slipway.yaml:3:14: error: hosts.use1-a.address: invalid port '0' in 'ssh://deploy@10.1.0.11:0' (a port is a number from 1 to 65535)",
    ],
  },
  {
    name: 'an address with a bad host',
    yaml: `hosts:
  use1-a: { address: ssh://deploy@10.1.0.300, region: us-east-1 }
  use1-b: { address: 'ssh://deploy@2001:db8::1', region: us-east-1 }
`,
    expect: [
      "slipway.yaml:2:22: error: hosts.use1-a.address: invalid host '10.1.0.300' in 'ssh://deploy@10.1.0.300' (write ssh://[user@]host[:port], e.g. ssh://deploy@10.1.0.11:2222)",
      "slipway.yaml:3:22: error: hosts.use1-b.address: an IPv6 address goes in brackets, got 'ssh://deploy@2001:db8::1' (e.g. ssh://[2001:db8::1]:22)",
    ],
  },
  {
    name: 'percentages out of 0..100',
    yaml: `${HOSTS}regions:
  primary: { region: us-east-1, traffic: 120% }
  secondary:
    - { region: eu-west-1, deployment: '+5m', traffic: -20 }
  failover: { health_threshold: 101% }
`,
    expect: [
      'slipway.yaml:5:42: error: regions.primary.traffic: a percentage is between 0% and 100%, got 120%',
      'slipway.yaml:7:56: error: regions.secondary[0].traffic: a percentage is between 0% and 100%, got -20%',
      'slipway.yaml:8:33: error: regions.failover.health_threshold: a percentage is between 0% and 100%, got 101%',
    ],
  },
  {
    name: 'a malformed wave start and switchover time',
    yaml: `${HOSTS}regions:
  primary: { region: us-east-1, deployment: soon, traffic: 60% }
  secondary:
    - { region: eu-west-1, deployment: 5m, traffic: 40% }
  failover: { strategy: automatic, switchover_time: '> 30s' }
`,
    expect: [
      "slipway.yaml:5:45: error: regions.primary.deployment: invalid wave start 'soon' (write immediate or '+<duration>' such as '+5m')",
      "slipway.yaml:7:40: error: regions.secondary[0].deployment: invalid wave start '5m' (write immediate or '+<duration>' such as '+5m')",
      "slipway.yaml:8:53: error: regions.failover.switchover_time: invalid switchover time '> 30s' (write a duration such as 30s or '< 30s')",
    ],
  },
  {
    name: 'an environment host reusing a name',
    yaml: `${HOSTS}environments:
  production:
    hosts:
      use1-a: { address: ssh://10.9.0.1, region: us-east-1 }
`,
    expect: [
      "slipway.yaml:7:7: error: environments.production.hosts.use1-a: duplicate host 'use1-a' (first defined at 2:3)",
    ],
  },
  {
    name: "an environment's own region it has no host in",
    yaml: `${HOSTS}environments:
  production:
    hosts: [use1-a]
    regions:
      primary: { region: us-east-1, traffic: 50% }
      secondary: [{ region: eu-west-1, deployment: '+1m', traffic: 50% }]
`,
    expect: [
      "slipway.yaml:9:29: error: environments.production.regions.secondary[0].region: environment 'production' has no host in region 'eu-west-1' (its hosts are in us-east-1)",
    ],
  },
  {
    name: 'an environment host in a region without a wave',
    yaml: `${HOSTS}regions:
  primary: { region: us-east-1, traffic: 100% }
environments:
  production: { hosts: [use1-a, euw1-a] }
`,
    expect: [
      "slipway.yaml:7:33: error: environments.production.hosts[1]: host 'euw1-a' is in region 'eu-west-1', which the top-level `regions:` has no wave for",
    ],
  },
  {
    name: 'a host the schema rejects is not also reported as unknown where it is named',
    yaml: `hosts:
  use1-a: { address: ssh://deploy@10.1.0.11:99999, region: us-east-1 }
regions:
  primary: { region: us-east-1, traffic: 100% }
environments:
  production: { hosts: [use1-a], port: 0 }
`,
    expect: [
      "slipway.yaml:2:22: error: hosts.use1-a.address: invalid port '99999' in 'ssh://deploy@10.1.0.11:99999' (a port is a number from 1 to 65535)",
      'slipway.yaml:6:40: error: environments.production.port: must be at least 1, got number 0',
    ],
  },
  {
    name: 'fleet rules still run when another part fails the schema',
    yaml: `hosts:
  use1-a: { address: ssh://deploy@10.1.0.11, region: us-east-1 }
regions:
  primary: { region: us-east-1, traffic: 90% }
environments:
  production: { hosts: [use1-b], port: 0 }
`,
    expect: [
      'slipway.yaml:3:1: error: regions: the traffic shares of the waves add up to 90%, not 100%',
      "slipway.yaml:6:25: error: environments.production.hosts[0]: unknown host 'use1-b' (did you mean 'use1-a'?)",
      'slipway.yaml:6:40: error: environments.production.port: must be at least 1, got number 0',
    ],
  },
];

for (const { name, yaml, expect } of INVALID) {
  test(`fleet: invalid: ${name}`, () => {
    assert.deepEqual(render(yaml), expect);
  });
}

test('fleet: ssh addresses parse into user, host and port', () => {
  assert.deepEqual(parseSshAddress('ssh://deploy@10.1.0.12:2222'), {
    ok: true,
    address: { user: 'deploy', host: '10.1.0.12', port: 2222 },
  });
  assert.deepEqual(parseSshAddress('ssh://[::1]'), { ok: true, address: { host: '::1' } });
  assert.deepEqual(parseSshAddress('ssh://ci_user@build-01.eu.example.com/'), {
    ok: true,
    address: { user: 'ci_user', host: 'build-01.eu.example.com' },
  });
  for (const bad of [
    'deploy@10.1.0.11',
    'ssh://',
    'ssh://deploy:secret@10.1.0.11',
    'ssh://10.1.0.11:22x',
    'ssh://10.1.0.11:65536',
    'ssh://10.1.0.11/srv',
    'ssh://[10.1.0.11]',
    'ssh://-bad-.example.com',
  ])
    assert.equal(parseSshAddress(bad).ok, false, bad);
});
