// The fleet bench's project: a built copy of examples/hello with a slipway.yaml naming six namespace
// hosts in three regions, the ssh settings the CLI processes use, and a way to run the CLI from it
// without blocking the load, keeping each output line with the time it arrived.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NamespaceHost, NamespaceHosts } from '../../test/helpers/namespace-hosts.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'slipway.js');

/** A region of the bench, its hosts and its wave. */
export interface BenchRegion {
  readonly name: string;
  readonly share: number;
  readonly deployment: string;
  readonly hosts: readonly NamespaceHost[];
}

/** Port every host serves the service on (the environment's `port`). */
export const SERVICE_PORT = 8080;

/** The canary's stages and analysis interval; their holds are taken out of deploy_s. */
export const CANARY = { traffic: 20, holdMs: 1000, intervalMs: 500 } as const;

/** One line a CLI process printed, with when it arrived here. */
export interface TimedLine {
  readonly at: number;
  readonly text: string;
}

/** What a CLI run ended with. */
export interface CliResult {
  readonly code: number | null;
  readonly lines: readonly TimedLine[];
  readonly stderr: string;
}

/** A running CLI process (the edge). */
export interface CliProcess {
  readonly lines: readonly TimedLine[];
  /** Resolves with the first line `match` accepts, or rejects after `timeoutMs` or on exit. */
  waitFor(match: (line: string) => boolean, timeoutMs: number): Promise<TimedLine>;
  stop(): Promise<void>;
}

/** The project and how to run the CLI in it. */
export interface FleetProject {
  readonly dir: string;
  readonly regions: readonly BenchRegion[];
  /** The ssh config file (IdentityFile, UserKnownHostsFile) of the CLI processes and the floor. */
  readonly sshConfig: string;
  /** Writes slipway.yaml with the service at `version`. */
  write(version: string): void;
  run(args: readonly string[], timeoutMs: number): Promise<CliResult>;
  start(args: readonly string[]): CliProcess;
}

/**
 * Builds examples/hello into `scratch/app` with the repository's TypeScript, writes the ssh settings
 * into `scratch/home` and returns the project. OpenSSH reads ~/.ssh/config from the passwd entry, not
 * from $HOME, so the CLI processes also get an `ssh` first on their PATH that passes that same file
 * with -F: what a user's own ~/.ssh/config would give them.
 */
export function fleetProject(
  lab: NamespaceHosts,
  scratch: string,
  regions: readonly BenchRegion[],
): FleetProject {
  const example = join(ROOT, 'examples', 'hello');
  const dir = join(scratch, 'app');
  cpSync(example, dir, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|\.slipway|dist)$/.test(src),
  });
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      dir,
      // The copy's tsconfig finds @types two folders up, which is the repository only in place.
      '--typeRoots',
      join(ROOT, 'node_modules', '@types'),
    ],
    {
      stdio: 'inherit',
    },
  );
  if (tsc.status !== 0) throw new Error('cannot compile the example app');

  const home = join(scratch, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const knownHosts = join(home, '.ssh', 'known_hosts');
  writeFileSync(knownHosts, lab.hosts.map((h) => lab.knownHostsLines(h)).join(''));
  const sshConfig = join(home, '.ssh', 'config');
  writeFileSync(
    sshConfig,
    `Host *\n  IdentityFile ${lab.clientKey}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${knownHosts}\n`,
    { mode: 0o600 },
  );
  const bin = join(scratch, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F '${sshConfig}' "$@"\n`);
  chmodSync(join(bin, 'ssh'), 0o755);
  const env = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    NO_COLOR: '1',
    SLIPWAY_ACTOR: 'bench',
  };

  const spawnCli = (args: readonly string[]) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: TimedLine[] = [];
    let partial = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const at = Date.now();
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) lines.push({ at, text });
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    return { child, lines, exited, stderr: () => stderr };
  };

  return {
    dir,
    regions,
    sshConfig,
    write: (version) => writeFileSync(join(dir, 'slipway.yaml'), projectYaml(regions, version)),
    run: async (args, timeoutMs) => {
      const cli = spawnCli(args);
      const timer = setTimeout(() => cli.child.kill('SIGTERM'), timeoutMs);
      const code = await cli.exited;
      clearTimeout(timer);
      return { code, lines: cli.lines, stderr: cli.stderr() };
    },
    start: (args) => {
      const cli = spawnCli(args);
      let exited = false;
      void cli.exited.then(() => {
        exited = true;
      });
      return {
        lines: cli.lines,
        waitFor: async (match, timeoutMs) => {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const found = cli.lines.find((l) => match(l.text));
            if (found) return found;
            if (exited) throw new Error(`slipway ${args[0]} exited: ${cli.stderr()}`);
            if (Date.now() > deadline)
              throw new Error(`slipway ${args[0]}: nothing expected within ${timeoutMs} ms: ${cli.stderr()}`);
            await new Promise((r) => setTimeout(r, 50));
          }
        },
        stop: async () => {
          if (exited) return;
          cli.child.kill('SIGTERM');
          const killer = setTimeout(() => cli.child.kill('SIGKILL'), 5000);
          await cli.exited;
          clearTimeout(killer);
        },
      };
    },
  };
}

/**
 * The bench's slipway.yaml: the service at `version` (APP_VERSION, so each version is a revision of
 * its own), one instance per host as the floor starts, production on SERVICE_PORT with the waves and
 * a two-stage canary whose analysis passes on a healthy service.
 */
function projectYaml(regions: readonly BenchRegion[], version: string): string {
  const hosts = regions.flatMap((region) =>
    region.hosts.map(
      (h) => `  ${h.name}: { address: 'ssh://root@${h.address}', region: ${region.name}, dir: '${h.dir}' }`,
    ),
  );
  const [primary, ...secondary] = regions;
  if (!primary) throw new Error('no regions');
  const wave = (r: BenchRegion) => `region: ${r.name}, deployment: '${r.deployment}', traffic: ${r.share}%`;
  return `version: 1
hosts:
${hosts.join('\n')}
services:
  hello:
    run: node dist/server.js
    source: .
    instances: 1
    env: { APP_VERSION: "${version}" }
    health:
      readiness: { http: /healthz, period: 100ms, timeout: 300ms }
    shutdown: { drain: 1s, timeout: 5s }
environments:
  production:
    port: ${SERVICE_PORT}
    regions:
      primary: { ${wave(primary)} }
      secondary:
${secondary.map((r) => `        - { ${wave(r)} }`).join('\n')}
      failover: { strategy: automatic, health_threshold: 90%, switchover_time: < 3s }
    strategy:
      canary:
        stages:
          - { traffic: ${CANARY.traffic}, duration: ${CANARY.holdMs}ms }
          - { traffic: 100 }
        metrics: [error_rate]
        autoRollback: true
    analysis: { interval: ${CANARY.intervalMs}ms, minRequests: 0 }
`;
}
