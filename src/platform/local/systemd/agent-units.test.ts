import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AgentUnitsSpec, planAgentUnits, unitSlug } from './agent-units.js';
import { enableSteps } from './enable-steps.js';
import { SystemdUnitError } from './errors.js';

const spec: AgentUnitsSpec = {
  name: 'shop',
  projectDir: '/srv/shop',
  stateDir: '/srv/shop/.slipway',
  command: ['/usr/bin/node', '/opt/slipway/bin/slipway.js'],
  scope: 'system',
  account: { uid: 1000, gid: 1001 },
  path: '/usr/local/bin:/usr/bin:/bin',
  ports: [
    { env: 'staging', port: 8081 },
    { env: 'prod', port: 8080 },
  ],
};

/** The `key=value` lines of a unit's text, in order, comments and blank lines left out. */
function settings(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('['));
}

describe('planAgentUnits', () => {
  test('one socket per port, named for its environment and port, each bound to the agent service', () => {
    const units = planAgentUnits(spec);
    assert.equal(units.service.unit, 'slipway-shop-agent.service');
    assert.deepEqual(
      units.sockets.map((s) => [s.unit, s.env, s.port]),
      [
        ['slipway-shop-prod.socket', 'prod', 8080],
        ['slipway-shop-staging.socket', 'staging', 8081],
      ],
    );
    assert.deepEqual(settings(units.sockets[0]!.text), [
      'Description=Slipway shop: port 8080 of environment prod',
      'ListenStream=127.0.0.1:8080',
      'FileDescriptorName=prod-8080',
      'Service=slipway-shop-agent.service',
      'WantedBy=sockets.target',
    ]);
    assert.match(units.sockets[0]!.text, /^# slipway-project=\/srv\/shop$/m);
  });

  test('the service runs `agent run` as the project owner, keeps its instances when it dies, and restarts', () => {
    const lines = settings(planAgentUnits(spec).service.text);
    assert.deepEqual(lines, [
      'Description=Slipway agent of shop',
      'Wants=slipway-shop-prod.socket slipway-shop-staging.socket',
      'After=slipway-shop-prod.socket slipway-shop-staging.socket',
      'After=network.target',
      'StartLimitIntervalSec=0',
      'Type=simple',
      'WorkingDirectory=/srv/shop',
      'ExecStart=/usr/bin/node /opt/slipway/bin/slipway.js agent run --state-dir /srv/shop/.slipway',
      'Sockets=slipway-shop-prod.socket',
      'Sockets=slipway-shop-staging.socket',
      'KillMode=process',
      'Restart=on-failure',
      'RestartSec=100ms',
      'Environment="PATH=/usr/local/bin:/usr/bin:/bin"',
      'User=1000',
      'Group=1001',
      'WantedBy=multi-user.target',
    ]);
  });

  test('user units have no account, no network.target, and start with the user manager', () => {
    const { service } = planAgentUnits({ ...spec, scope: 'user', ports: [] });
    const lines = settings(service.text);
    assert.ok(!lines.some((l) => /^(User|Group|Sockets|Wants)=/.test(l)), lines.join('\n'));
    assert.ok(!lines.includes('After=network.target'));
    assert.ok(lines.includes('WantedBy=default.target'));
  });

  test('paths with spaces, %, $, quotes and backslashes survive systemd unquoting and expansion', () => {
    const odd = '/srv/my shop/100%/$HOME/"q"\\b';
    const { service } = planAgentUnits({
      ...spec,
      name: 'My Shop!',
      projectDir: odd,
      stateDir: `${odd}/.slipway`,
      path: '/opt/50%:/bin',
    });
    assert.equal(service.unit, 'slipway-my-shop-agent.service');
    const lines = settings(service.text);
    assert.ok(lines.includes('WorkingDirectory=/srv/my shop/100%%/$HOME/"q"\\b'), lines.join('\n'));
    assert.ok(
      lines.includes(
        'ExecStart=/usr/bin/node /opt/slipway/bin/slipway.js agent run --state-dir "/srv/my shop/100%%/$$HOME/\\"q\\"\\\\b/.slipway"',
      ),
      lines.join('\n'),
    );
    assert.ok(lines.includes('Environment="PATH=/opt/50%%:/bin"'));
  });

  test('a control character or a relative path is refused before anything is written', () => {
    assert.throws(
      () => planAgentUnits({ ...spec, projectDir: '/srv/a\nExecStartPre=/bin/evil' }),
      (error: unknown) => error instanceof SystemdUnitError && error.code === 'UNIT_VALUE_INVALID',
    );
    assert.throws(
      () => planAgentUnits({ ...spec, command: ['node', 'bin/slipway.js'] }),
      /the program must be an absolute path/,
    );
  });

  test('unit slugs keep only what systemd allows in a unit name', () => {
    assert.equal(unitSlug('Shop API'), 'shop-api');
    assert.equal(unitSlug('--a..b__c--'), 'a..b__c');
    assert.equal(unitSlug('ö'), 'project');
  });
});

describe('enableSteps', () => {
  const units = planAgentUnits(spec);

  test('system units written where systemd reads them: stop the CLI agent, reload, enable sockets and service', () => {
    assert.deepEqual(
      enableSteps({
        scope: 'system',
        units,
        dir: '/etc/systemd/system',
        unitDir: '/etc/systemd/system',
        stale: [],
      }),
      [
        'slipway agent stop --keep-instances',
        'systemctl daemon-reload',
        'systemctl enable --now slipway-shop-prod.socket slipway-shop-staging.socket slipway-shop-agent.service',
      ],
    );
  });

  test('units written elsewhere are copied first; stale sockets are disabled; user units need lingering', () => {
    assert.deepEqual(
      enableSteps({
        scope: 'user',
        units,
        dir: '/tmp/my units',
        unitDir: '/home/ann/.config/systemd/user',
        stale: ['slipway-shop-old.socket'],
        user: 'ann',
      }),
      [
        "cp '/tmp/my units/slipway-shop-prod.socket' '/tmp/my units/slipway-shop-staging.socket' '/tmp/my units/slipway-shop-agent.service' /home/ann/.config/systemd/user/",
        'slipway agent stop --keep-instances',
        'systemctl --user disable --now slipway-shop-old.socket',
        'rm /home/ann/.config/systemd/user/slipway-shop-old.socket',
        'systemctl --user daemon-reload',
        'systemctl --user enable --now slipway-shop-prod.socket slipway-shop-staging.socket slipway-shop-agent.service',
        'loginctl enable-linger ann',
      ],
    );
  });
});
