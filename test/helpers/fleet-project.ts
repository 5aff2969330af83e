/**
 * A project deploying the fixture app to six namespace hosts in three regions (two each, waves
 * immediate, +2s, +4s), driven through the built CLI. Its ssh settings (the hosts' client key and
 * known_hosts) are an ssh config of the project's own, which every CLI process is given through
 * SLIPWAY_SSH_CONFIG (ssh reads ~/.ssh from the passwd entry, so HOME could not point elsewhere).
 */
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NamespaceHost, NamespaceHosts } from './namespace-hosts.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'slipway.js');
const FIXTURE_APP = join(ROOT, 'test', 'platform', 'fixtures', 'app');

/** Regions in wave order, each with its two hosts' Slipway names. */
export const FLEET_REGIONS = [
  { region: 'us-east', hosts: ['use-a', 'use-b'] },
  { region: 'eu-west', hosts: ['euw-a', 'euw-b'] },
  { region: 'ap-south', hosts: ['aps-a', 'aps-b'] },
] as const;

/** The port every host's router serves the environment on. */
export const FLEET_PORT = 18_480;

/** What a CLI run printed. */
export interface CliRun {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
  /** How long it ran. */
  readonly ms: number;
}

/** The project, its hosts by Slipway name, and the CLI. */
export interface FleetProject {
  readonly dir: string;
  /** Namespace host of each Slipway host name. */
  readonly hosts: ReadonlyMap<string, NamespaceHost>;
  /** Writes slipway.yaml with the service's env (`VERSION: v1, ...`), and `extra` top-level sections. */
  writeConfig(serviceEnv: Readonly<Record<string, string>>, extra?: string): void;
  /** Runs the built CLI in the project (killed after `timeoutMs`). */
  cli(args: readonly string[], timeoutMs?: number): Promise<CliRun>;
  /** `http://<address>:<port>/` of a host. */
  url(host: string): string;
  cleanup(): void;
}

/**
 * Wraps the fixture app: on a host whose address FAIL_ADDRESSES lists, every request but /healthz
 * answers 500 (MODE=error): a revision that is broken in one region only.
 */
const FAULT_WRAPPER = `import { networkInterfaces } from 'node:os';
const failing = (process.env.FAIL_ADDRESSES ?? '').split(',').filter(Boolean);
const mine = Object.values(networkInterfaces()).flat().map((a) => a?.address);
if (mine.some((a) => failing.includes(a))) process.env.MODE = 'error';
await import('./server.mjs');
`;

/** Makes the project in `parent` for the lab's first six hosts. */
export function fleetProject(lab: NamespaceHosts, parent: string): FleetProject {
  const dir = join(parent, 'project');
  const sshDir = join(parent, 'ssh');
  mkdirSync(dir, { recursive: true });
  cpSync(FIXTURE_APP, join(dir, 'app'), { recursive: true });
  writeFileSync(join(dir, 'app', 'fault.mjs'), FAULT_WRAPPER);
  const hosts = new Map<string, NamespaceHost>();
  FLEET_REGIONS.flatMap((r) => r.hosts).forEach((name, i) => {
    const host = lab.hosts[i];
    if (!host) throw new Error(`the lab has no host #${i + 1}`);
    hosts.set(name, host);
  });
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  chmodSync(sshDir, 0o700);
  const knownHosts = join(sshDir, 'known_hosts');
  writeFileSync(knownHosts, [...hosts.values()].map((h) => lab.knownHostsLines(h)).join(''));
  writeFileSync(
    join(sshDir, 'config'),
    `Host *\n  IdentityFile ${lab.clientKey}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${knownHosts}\n  GlobalKnownHostsFile /dev/null\n`,
    { mode: 0o600 },
  );
  const env = {
    ...process.env,
    NO_COLOR: '1',
    SLIPWAY_ACTOR: 'tester',
    SLIPWAY_SSH_CONFIG: join(sshDir, 'config'),
  };

  const hostLines = FLEET_REGIONS.flatMap(({ region, hosts: names }) =>
    names.map((name) => {
      const host = hosts.get(name) as NamespaceHost;
      return `  ${name}: { address: ssh://root@${host.address}, region: ${region}, dir: ${host.dir}/.slipway }`;
    }),
  );
  const [first, second, third] = FLEET_REGIONS;
  return {
    dir,
    hosts,
    writeConfig: (serviceEnv, extra = '') =>
      writeFileSync(
        join(dir, 'slipway.yaml'),
        [
          'version: 1',
          'hosts:',
          ...hostLines,
          'regions:',
          `  primary: { region: ${first.region}, deployment: immediate, traffic: 40% }`,
          '  secondary:',
          `    - { region: ${second.region}, deployment: '+2s', traffic: 30% }`,
          `    - { region: ${third.region}, deployment: '+4s', traffic: 30% }`,
          'services:',
          '  web:',
          '    run: node fault.mjs',
          '    source: app',
          '    instances: 1',
          `    env: { ${Object.entries(serviceEnv)
            .map(([k, v]) => `${k}: '${v}'`)
            .join(', ')} }`,
          '    health:',
          '      readiness: { http: /healthz, period: 200ms, timeout: 300ms }',
          '    shutdown: { drain: 0s, timeout: 2s }',
          'environments:',
          '  production:',
          `    port: ${FLEET_PORT}`,
          '    rollback: all',
          '    strategy:',
          '      canary:',
          '        stages:',
          '          - { traffic: 50, duration: 2s }',
          '          - { traffic: 100 }',
          '        metrics: [error_rate]',
          '    analysis: { interval: 500ms, minRequests: 0, failureLimit: 0, inconclusiveLimit: 100 }',
          extra,
          '',
        ].join('\n'),
      ),
    cli: (args, timeoutMs = 60_000) =>
      new Promise<CliRun>((done) => {
        const started = Date.now();
        const child = spawn(process.execPath, [BIN, ...args], {
          cwd: dir,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
        });
        child.stderr.on('data', (c: Buffer) => {
          err += c.toString();
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.on('close', (code) => {
          clearTimeout(timer);
          done({ code, out, err, ms: Date.now() - started });
        });
      }),
    url: (name) => `http://${hosts.get(name)?.address}:${FLEET_PORT}/`,
    cleanup: () => rmSync(parent, { recursive: true, force: true, maxRetries: 5 }),
  };
}

/** One answer a host gave (status 0: no answer). */
export interface Answer {
  readonly host: string;
  readonly status: number;
  readonly body: string;
}

/** GET / of a host; never throws. */
export async function getHost(project: FleetProject, host: string, timeoutMs = 3_000): Promise<Answer> {
  try {
    const res = await fetch(project.url(host), { signal: AbortSignal.timeout(timeoutMs) });
    return { host, status: res.status, body: await res.text() };
  } catch (error) {
    return { host, status: 0, body: String((error as Error).cause ?? error) };
  }
}

/** A little load at every host's port until stopped (or `maxMs` passed); `stop` returns the answers. */
export function hostLoad(project: FleetProject, maxMs = 60_000, pauseMs = 40) {
  const answers: Answer[] = [];
  const deadline = Date.now() + maxMs;
  let running = true;
  const loops = [...project.hosts.keys()].map(async (host) => {
    while (running && Date.now() < deadline) {
      answers.push(await getHost(project, host, 2_000));
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return answers;
    },
  };
}

/** Asserts that each of `hosts` answers GET / with the fixture app's `hello <version>`. */
export async function assertHostsServe(
  project: FleetProject,
  hosts: readonly string[],
  version: string,
): Promise<void> {
  const answers = await Promise.all(hosts.map((h) => getHost(project, h)));
  for (const a of answers)
    if (!(a.status === 200 && a.body.startsWith(`hello ${version} `)))
      throw new Error(`${a.host} should serve ${version}: ${a.status} ${a.body.trim()}`);
}

/** `slipway host setup` of every host at once; throws naming the first that failed. */
export async function setUpHosts(project: FleetProject, hosts: readonly string[]): Promise<number> {
  const setups = await Promise.all(hosts.map((h) => project.cli(['host', 'setup', h], 240_000)));
  setups.forEach((run, i) => {
    if (run.code !== 0)
      throw new Error(
        `host setup ${hosts[i]}: exit ${run.code}\n--- stdout\n${run.out}\n--- stderr\n${run.err}`,
      );
  });
  return Math.max(...setups.map((r) => r.ms));
}
