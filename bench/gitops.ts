// bench:gitops — a repository holding 200 services in 3 environments, already in sync through
// `slipway server`'s own passes (600 services running on the local agent, each one `sleep` with an
// exec readiness probe), then:
// - pass_ms: one reconcile pass that finds nothing to do (fetch, read, observe, plan), median of 5;
// - floor_ms: `git fetch` of the same repository into a mirror plus `git ls-tree -r` of the watched
//   path, median of 5 in the same run;
// - push_to_sync_p99_ms: from a signed push webhook's arrival to the start of the first rollout it
//   causes, over 20 pushes each changing one service.
// Prints one JSON line: {"bench":"gitops","services":200,"pass_ms":..,"floor_ms":..,"ratio":..,"push_to_sync_p99_ms":..}
// Targets: ratio <= 2 and push_to_sync_p99_ms <= 1000 (exit 1 when missed). Run: npm run bench:gitops.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfigFile } from '../src/config/load-config.js';
import { DesiredCache } from '../src/gitops/desired-state.js';
import { GitMirror } from '../src/gitops/git-mirror.js';
import { reconcileOnce } from '../src/gitops/reconcile-pass.js';
import { LocalPlatform } from '../src/platform/local/local-platform.js';
import { systemClock } from '../src/rollout/rollout-clock.js';
import { createServer } from '../src/server/create-server.js';
import { signWebhookBody } from '../src/server/webhook-signature.js';
import { openStore } from '../src/store/open-store.js';
import { waitFor } from '../test/server/helpers/server-harness.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'slipway.js');
const SERVICES = 200;
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
const PUSHES = 20;
const SECRET = 'bench-gitops-secret';
const SYNC_TIMEOUT_MS = 10 * 60_000;
const log = (line: string) => process.stderr.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const name = (i: number) => `s${String(i).padStart(3, '0')}`;

function desiredYaml(): string {
  const services = Array.from({ length: SERVICES }, (_, i) =>
    [
      `  ${name(i)}:`,
      '    run: sleep 1000000',
      `    source: svc/${name(i)}`,
      '    health: { readiness: { exec: "true", period: 1m } }',
      '    shutdown: { drain: 0s, timeout: 2s }',
    ].join('\n'),
  );
  const environments = ENVIRONMENTS.map(
    (env) => `  ${env}:\n    strategy:\n      blueGreen: { switchover: instant, scaleDownDelay: 0s }`,
  );
  return `version: 1\nservices:\n${services.join('\n')}\nenvironments:\n${environments.join('\n')}\n`;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'slipway-bench-gitops-'));
  const work = join(root, 'desired');
  const project = join(root, 'project');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', ...args], {
      cwd: work,
      encoding: 'utf8',
    }).trim();
  let server: ReturnType<typeof createServer> | undefined;
  const store = await (async () => {
    mkdirSync(join(work, 'deploy'), { recursive: true });
    for (let i = 0; i < SERVICES; i++) {
      mkdirSync(join(work, 'deploy', 'svc', name(i)), { recursive: true });
      writeFileSync(join(work, 'deploy', 'svc', name(i), 'index.txt'), `${name(i)} v0\n`);
    }
    writeFileSync(join(work, 'deploy', 'slipway.yaml'), desiredYaml());
    execFileSync('git', ['init', '--quiet', '--initial-branch=main', work]);
    git('add', '-A');
    git('commit', '--quiet', '-m', 'desired state');
    mkdirSync(project);
    writeFileSync(
      join(project, 'slipway.yaml'),
      'version: 1\ngitops:\n  repository: { url: ../desired, branch: main, path: deploy }\n  sync: { interval: 10m, parallel: 16 }\n',
    );
    return openStore({ projectDir: project });
  })();
  try {
    const file = join(project, 'slipway.yaml');
    server = createServer({
      store,
      projectDir: project,
      loadConfig: async () => {
        const loaded = loadConfigFile(file);
        if (!loaded.config) throw new Error(`${file} is invalid`);
        return loaded.config;
      },
      platform: new LocalPlatform({
        stateDir: join(project, '.slipway'),
        agentCommand: [process.execPath, BIN],
      }),
      clock: systemClock(),
      logger: { info: () => undefined, error: (m) => log(`server: ${m}`) },
      webhookSecret: SECRET,
    });
    const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
    const synced = async () => (await store.listEvents({ types: ['gitops.synced'] })).length;
    const started = Date.now();
    await waitFor(
      'the first sync of 600 services',
      async () => ((await synced()) >= SERVICES * ENVIRONMENTS.length ? true : undefined),
      SYNC_TIMEOUT_MS,
      20,
    );
    log(
      `first sync of ${SERVICES * ENVIRONMENTS.length} services: ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    // One pass that finds nothing to do, as the server runs it (its own mirror, store and platform).
    const config = loadConfigFile(file).config;
    if (!config?.gitops) throw new Error('no gitops section');
    const mirror = new GitMirror(config.gitops.repository, {
      cacheDir: join(project, '.slipway', 'gitops'),
      baseDir: project,
    });
    const platform = new LocalPlatform({ stateDir: join(project, '.slipway') });
    const controller = {
      store,
      platform,
      clock: systemClock(),
      report: () => undefined,
      owner: 'bench',
      env: {},
    };
    // As the server's loop keeps them: one mirror and the desired states it read, across passes.
    const cache = new DesiredCache();
    await reconcileOnce(
      mirror,
      { controller, actor: 'bench' },
      { sync: config.gitops.sync, cache, dryRun: true },
    );
    const passes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const result = await reconcileOnce(
        mirror,
        { controller, actor: 'bench' },
        { sync: config.gitops.sync, cache },
      );
      passes.push(performance.now() - t0);
      if (result.applied.length > 0 || result.apps.some((a) => a.sync !== 'Synced'))
        throw new Error(`the pass found something to do: ${JSON.stringify(result.applied.slice(0, 3))}`);
    }
    // The floor: git fetch into a mirror of its own (the first one untimed) and ls-tree of the path.
    const floorMirror = join(root, 'floor.git');
    execFileSync('git', ['init', '--quiet', '--bare', floorMirror]);
    const fetch = () =>
      execFileSync('git', [
        '--git-dir',
        floorMirror,
        'fetch',
        '--quiet',
        '--no-tags',
        '--prune',
        '--',
        work,
        '+refs/heads/main:refs/heads/main',
      ]);
    fetch();
    const floors: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      fetch();
      execFileSync('git', ['--git-dir', floorMirror, 'ls-tree', '-r', 'refs/heads/main', '--', 'deploy'], {
        maxBuffer: 64 << 20,
      });
      floors.push(performance.now() - t0);
    }

    // Pushes: each changes one service; the webhook's arrival to the first rollout it starts.
    const latencies: number[] = [];
    for (let p = 0; p < PUSHES; p++) {
      const target = name((p * 37) % SERVICES);
      writeFileSync(join(work, 'deploy', 'svc', target, 'index.txt'), `${target} v${p + 1}\n`);
      git('commit', '--quiet', '-am', `${target} v${p + 1}`);
      const sha = git('rev-parse', 'HEAD');
      const body = JSON.stringify({
        ref: 'refs/heads/main',
        after: sha,
        repository: { clone_url: `file://${work}` },
        pusher: { name: 'bench' },
      });
      const arrival = Date.now();
      const answer = await fetchWebhook(url, body, `push-${p}`);
      if (answer !== 202) throw new Error(`the webhook answered ${answer}`);
      const first = await waitFor(
        `the rollout of push ${p + 1}`,
        async () => {
          const rollouts = await store.listRollouts({ service: target, limit: 10 });
          const mine = rollouts.filter((r) => r.commitSha === sha);
          return mine.length > 0 ? Math.min(...mine.map((r) => r.startedAt)) : undefined;
        },
        30_000,
        20,
      );
      latencies.push(first - arrival);
      // The next push waits until all three environments are in sync again.
      await waitFor(
        `the sync of push ${p + 1}`,
        async () =>
          (await store.listEvents({ types: ['gitops.synced'], commitSha: sha })).length >= ENVIRONMENTS.length
            ? true
            : undefined,
        60_000,
        20,
      );
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const p99 = sorted[Math.ceil(sorted.length * 0.99) - 1] ?? Number.NaN;
    const passMs = median(passes);
    const floorMs = median(floors);
    const ratio = Math.round((passMs / floorMs) * 100) / 100;
    log(
      `passes (ms): ${passes.map((x) => x.toFixed(0)).join(' ')}; floor (ms): ${floors.map((x) => x.toFixed(0)).join(' ')}`,
    );
    log(`push to rollout (ms): ${latencies.join(' ')}`);
    const met = ratio <= 2 && p99 <= 1000;
    log(`targets ${met ? 'met' : 'missed'} (ratio <= 2, push_to_sync_p99_ms <= 1000)`);
    if (!met) process.exitCode = 1;
    process.stdout.write(
      `${JSON.stringify({ bench: 'gitops', services: SERVICES, pass_ms: Math.round(passMs), floor_ms: Math.round(floorMs), ratio, push_to_sync_p99_ms: p99 })}\n`,
    );
  } finally {
    await server?.close();
    spawnSync(process.execPath, [BIN, 'agent', 'stop'], { cwd: project, timeout: 120_000 });
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

async function fetchWebhook(url: string, body: string, delivery: string): Promise<number> {
  const response = await fetch(`${url}/api/v1/hooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': delivery,
      'x-hub-signature-256': signWebhookBody(SECRET, body),
    },
    body,
  });
  await response.text();
  return response.status;
}

const guard = setTimeout(() => {
  log('bench:gitops: over 20 minutes, giving up');
  process.exit(1);
}, 20 * 60_000);
guard.unref();
main().catch((error: unknown) => {
  log(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
  process.exitCode = 1;
});
