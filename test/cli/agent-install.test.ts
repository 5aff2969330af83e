// `slipway agent install` as users run it: the units it writes, what it prints, and systemd's own
// check of the files (`systemd-analyze verify`, the offline loader; systemd need not run here).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SYSTEMD_ANALYZE, skipWithout } from '../helpers/outside-program.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/slipway.js');
const work = mkdtempSync(join(tmpdir(), 'slipway agent install-'));
after(() => rmSync(work, { recursive: true, force: true }));

function slipway(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A project named `name` in `dir` whose environments have these ports (undefined: a free port). */
function project(
  dir: string,
  name: string,
  ports: Record<string, number | undefined>,
  services = true,
): string {
  mkdirSync(join(dir, 'app'), { recursive: true });
  const envs = Object.entries(ports).map(([env, port]) => `  ${env}: {${port ? ` port: ${port} ` : ''}}`);
  const lines = ['version: 1', `project: { name: "${name}" }`, 'jobs:', '  test: { run: "true" }'];
  if (services)
    lines.push('services:', '  web: { run: node server.mjs, source: app }', 'environments:', ...envs);
  writeFileSync(join(dir, 'slipway.yaml'), `${lines.join('\n')}\n`);
  return dir;
}

/** `systemd-analyze verify` of the files: its exit status and what it said about them. */
function verify(files: string[], scope: 'system' | 'user') {
  const runtime = mkdtempSync(join(work, 'runtime-'));
  const result = spawnSync(
    'systemd-analyze',
    ['verify', ...(scope === 'user' ? ['--user'] : []), ...files],
    // The user manager wants a runtime folder even offline.
    { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: runtime }, timeout: 60_000 },
  );
  // Warnings about a unit name the files hold: a bad setting is a warning and still exits 0.
  const names = files.map((f) => f.split('/').pop()!);
  const warnings = `${result.stdout}${result.stderr}`
    .split('\n')
    .filter((line) => names.some((n) => line.includes(n)) || line.includes(work));
  return { status: result.status, warnings };
}

describe('slipway agent install', { concurrency: false }, () => {
  const shop = project(join(work, 'shop 100%'), 'Shop', { prod: 18080, staging: 18081, dev: undefined });
  const systemDir = join(work, 'system');
  const userDir = join(work, 'user');

  test('writes a service and one socket per fixed port, and prints them with the commands to enable them', () => {
    const result = slipway(shop, 'agent', 'install', '--dir', systemDir);
    assert.equal(result.status, 0, result.stderr + result.stdout);
    assert.deepEqual(readdirSync(systemDir).sort(), [
      'slipway-shop-agent.service',
      'slipway-shop-prod.socket',
      'slipway-shop-staging.socket',
    ]);
    const out = result.stdout;
    assert.match(out, new RegExp(`wrote ${systemDir}/slipway-shop-agent\\.service`));
    assert.match(out, /slipway-shop-prod\.socket \(holds 127\.0\.0\.1:18080 of prod across agent restarts\)/);
    assert.match(out, /note: environment dev has no port/);
    assert.match(out, /\n {2}slipway agent stop --keep-instances\n/);
    assert.match(out, /\n {2}systemctl daemon-reload\n/);
    assert.match(
      out,
      /\n {2}systemctl enable --now slipway-shop-prod\.socket slipway-shop-staging\.socket slipway-shop-agent\.service\n/,
    );
    const service = readFileSync(join(systemDir, 'slipway-shop-agent.service'), 'utf8');
    assert.match(service, /^WorkingDirectory=.*\/shop 100%%$/m);
    assert.match(
      service,
      new RegExp(
        `^ExecStart=${process.execPath} ${bin} agent run --state-dir ".*/shop 100%%/\\.slipway"$`,
        'm',
      ),
    );
    assert.match(service, /^Sockets=slipway-shop-prod\.socket$/m);
    assert.match(service, /^KillMode=process$/m);
    const socket = readFileSync(join(systemDir, 'slipway-shop-prod.socket'), 'utf8');
    assert.match(socket, /^ListenStream=127\.0\.0\.1:18080$/m);
    assert.match(socket, /^FileDescriptorName=prod-18080$/m);
  });

  test('systemd-analyze verify accepts the system units', { skip: skipWithout(SYSTEMD_ANALYZE) }, () => {
    const files = readdirSync(systemDir).map((n) => join(systemDir, n));
    assert.equal(files.length, 3);
    const { status, warnings } = verify(files, 'system');
    assert.deepEqual(warnings, []);
    assert.equal(status, 0);
  });

  test('--user units pass systemd-analyze verify --user', { skip: skipWithout(SYSTEMD_ANALYZE) }, () => {
    const result = slipway(shop, 'agent', 'install', '--user', '--dir', userDir);
    assert.equal(result.status, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /systemctl --user enable --now/);
    assert.match(result.stdout, /loginctl enable-linger /);
    const files = readdirSync(userDir).map((n) => join(userDir, n));
    const service = readFileSync(join(userDir, 'slipway-shop-agent.service'), 'utf8');
    assert.match(service, /^WantedBy=default\.target$/m);
    const { status, warnings } = verify(files, 'user');
    assert.deepEqual(warnings, []);
    assert.equal(status, 0);
  });

  test('verify catches a broken unit, so its silence above means something', {
    skip: skipWithout(SYSTEMD_ANALYZE),
  }, () => {
    const broken = join(work, 'broken');
    mkdirSync(broken);
    const text = readFileSync(join(systemDir, 'slipway-shop-agent.service'), 'utf8')
      .replace('Restart=on-failure', 'Restart=sometimes')
      .replace(/^ExecStart=\S+/m, 'ExecStart=/nonexistent/node');
    writeFileSync(join(broken, 'slipway-shop-agent.service'), text);
    for (const n of ['slipway-shop-prod.socket', 'slipway-shop-staging.socket'])
      writeFileSync(join(broken, n), readFileSync(join(systemDir, n)));
    const { status, warnings } = verify(
      readdirSync(broken).map((n) => join(broken, n)),
      'system',
    );
    assert.ok(
      warnings.some((w) => /restart specifier/.test(w)),
      warnings.join('\n'),
    );
    assert.notEqual(status, 0);
  });

  test('a port the project dropped leaves its socket unit, reported with the commands that remove it', () => {
    project(shop, 'Shop', { prod: 18080, dev: undefined });
    const result = slipway(shop, '--json', 'agent', 'install', '--dir', systemDir);
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      sockets: { unit: string; port: number }[];
      stale: string[];
      steps: string[];
    };
    assert.deepEqual(
      report.sockets.map((s) => [s.unit, s.port]),
      [['slipway-shop-prod.socket', 18080]],
    );
    assert.deepEqual(report.stale, ['slipway-shop-staging.socket']);
    assert.ok(
      report.steps.includes('systemctl disable --now slipway-shop-staging.socket'),
      report.steps.join('\n'),
    );
  });

  test("another project's units of the same name are never overwritten", () => {
    const other = project(join(work, 'other'), 'shop', { prod: 19090 });
    const before = readFileSync(join(systemDir, 'slipway-shop-agent.service'), 'utf8');
    const refused = slipway(other, 'agent', 'install', '--dir', systemDir);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /belongs to the project in .*shop 100%.*--name/);
    assert.equal(readFileSync(join(systemDir, 'slipway-shop-agent.service'), 'utf8'), before);
    const renamed = slipway(other, 'agent', 'install', '--dir', systemDir, '--name', 'shop-two');
    assert.equal(renamed.status, 0, renamed.stderr);
    assert.ok(readdirSync(systemDir).includes('slipway-shop-two-agent.service'));
  });

  test('a project without services is refused: its agent would have nothing to run', () => {
    const bare = project(join(work, 'bare'), 'bare', {}, false);
    const result = slipway(bare, 'agent', 'install', '--dir', join(work, 'bare-units'));
    assert.equal(result.status, 2);
    assert.match(result.stderr, /no services/);
  });
});
