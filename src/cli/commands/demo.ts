/**
 * `slipway demo`: the whole tool in a minute or two on a copy of the example project. It runs
 * the pipeline (build, test, security, then dev, staging and production, where the demo grants
 * the manual approval itself through the same path `slipway approve` uses), puts steady traffic
 * on production, ships v2 by canary to completion, then ships a broken v3 that rolls itself back,
 * and sums up: requests served, requests failed, time from the first bad response to rollback.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../package/package-root.js';
import { decideApproval } from '../../pipeline/decide-approval.js';
import { readGitInfo } from '../../pipeline/git-info.js';
import { freePort } from '../../platform/local/agent/instance-process.js';
import { systemClock } from '../../rollout/rollout-clock.js';
import { deploy } from '../../rollout/rollout-service.js';
import { steadyTraffic } from '../../rollout/steady-traffic.js';
import type { Store } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { localPlatform } from '../platform.js';
import { loadProject, openProjectStore } from '../project.js';
import { rolloutDeps } from '../rollout-deps.js';
import { runCommand } from './run.js';

/** Where the example project lives in the package. */
export function exampleDir(): string {
  return join(packageRoot(), 'examples', 'hello');
}

/** Runs the demo; exit 0 when v2 completed and v3 rolled back as expected. */
export async function demoCommand(ctx: CommandContext): Promise<number> {
  const source = exampleDir();
  if (!existsSync(join(source, 'slipway.yaml')))
    throw new UsageError(`the example project is missing (${source})`);
  const dir = await copyExample(source);
  const say = (text: string) => ctx.output.error(`${ctx.output.paint('cyan', 'demo')} ${text}`);
  say(`copied the example project to ${dir}`);
  const demoCtx: CommandContext = {
    ...ctx,
    io: { ...ctx.io, cwd: dir },
    options: { ...ctx.options, file: join(dir, 'slipway.yaml') },
  };
  const store = await openProjectStore(demoCtx, dir);
  const platform = localPlatform(demoCtx, dir);
  try {
    say('1/4 running the pipeline: build, test, security, then deploy v1 to dev, staging and production');
    const stopApproving = autoApprove(store, say);
    const pipeline = await runCommand(demoCtx, {}).finally(stopApproving);
    if (pipeline !== ExitCode.Ok) return pipeline;
    const production = await platform.status({ service: 'hello', env: 'production' });
    if (!production?.url) throw new Error('production has no endpoint after the pipeline');
    say(`2/4 production serves ${production.url}; putting steady traffic on it`);
    const traffic = steadyTraffic(production.url, { clock: systemClock() });
    const ship = async (what: string, edit: (text: string) => string) => {
      writeFileSync(join(dir, 'slipway.yaml'), edit(readFileSync(join(dir, 'slipway.yaml'), 'utf8')));
      const { config } = await loadProject(demoCtx);
      say(what);
      return deploy(rolloutDeps(demoCtx, dir, store), {
        config,
        projectDir: dir,
        service: 'hello',
        env: 'production',
        actor: 'demo',
        commitSha: readGitInfo(dir).sha,
      });
    };
    const v2 = await ship(
      '3/4 shipping v2 to production by canary (10% -> 50% -> 100%, analysed every second)',
      (text) =>
        text.replace(
          '    run: node dist/server.js\n',
          '    run: node dist/server.js\n    env: { APP_VERSION: "2.0.0" }\n',
        ),
    );
    const v3 = await ship('4/4 shipping a broken v3 (every request but /healthz answers 500)', (text) =>
      text.replace('env: { APP_VERSION: "2.0.0" }', 'env: { APP_VERSION: "3.0.0", APP_BROKEN: "1" }'),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stats = await traffic.stop();
    const badMs = stats.firstBadAt && stats.lastBadAt ? stats.lastBadAt - stats.firstBadAt : 0;
    const ok = v2.status === 'completed' && v3.status === 'rolled_back';
    const summary = {
      v2: v2.status,
      v3: v3.status,
      reason: 'reason' in v3 ? v3.reason : undefined,
      requests: stats.requests,
      failed: stats.failed,
      badResponsesForMs: badMs,
      project: dir,
    };
    if (ctx.output.json) ctx.output.data({ type: 'demo.summary', ...summary });
    say('summary:');
    say(`  v2 ${v2.status}; v3 ${v3.status}${summary.reason ? ` (${summary.reason})` : ''}`);
    say(`  requests served: ${stats.requests}, failed: ${stats.failed} (all while v3 had traffic)`);
    say(`  first bad response to full rollback: ${badMs} ms`);
    say(`  try: cd ${dir} && npx slipway history hello --env production`);
    return ok ? ExitCode.Ok : ExitCode.Failed;
  } finally {
    say('stopping the demo agent and its instances');
    await platform.client.tryCall('POST', '/v1/shutdown', { keepInstances: false }).catch(() => {});
    for (let i = 0; i < 400 && existsSync(platform.client.paths.socket); i++)
      await new Promise((r) => setTimeout(r, 25));
    await store.close();
  }
}

/**
 * Copies the example to `<tmp>/examples/hello` beside links to Slipway's node_modules and bin, so its
 * `../../node_modules` tools (tsc, ESLint) and `../../bin/slipway.js` resolve as in the repository.
 */
async function copyExample(source: string): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'slipway-demo-'));
  const dir = join(root, 'examples', 'hello');
  mkdirSync(dir, { recursive: true });
  cpSync(source, dir, {
    recursive: true,
    // Outputs of an earlier run in the repository (build, reports) are not part of the example.
    filter: (path) => !/[/\\](node_modules|dist|build|reports|\.slipway)$/.test(path),
  });
  symlinkSync(join(packageRoot(), 'node_modules'), join(root, 'node_modules'));
  symlinkSync(join(packageRoot(), 'bin'), join(root, 'bin'));
  // Production's port is fixed in the config; if something else holds it, the demo takes another.
  if (!(await portFree(8080))) {
    const file = join(dir, 'slipway.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('port: 8080', `port: ${await freePort()}`));
  }
  return dir;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// Grants pending approvals of the demo's runs as the user `demo`, after a short pause.
function autoApprove(store: Store, say: (text: string) => void): () => void {
  let stopped = false;
  const tick = async () => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, 300));
      if (stopped) break;
      const [run] = await store.listRuns({ limit: 1, status: 'waiting' });
      if (!run) continue;
      for (const approval of await store.listApprovals(run.id)) {
        if (approval.status !== 'pending') continue;
        say(
          `approving ${approval.environment} as 'demo'; in real use someone runs: slipway approve ${run.id} ${approval.environment}`,
        );
        await decideApproval(store, {
          runId: run.id,
          environment: approval.environment,
          decision: 'approved',
          actor: 'demo',
        }).catch(() => {});
      }
    }
  };
  void tick();
  return () => {
    stopped = true;
  };
}
