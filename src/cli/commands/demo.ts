/**
 * `slipway demo`: runs the example project's pipeline end to end (build, test, security,
 * then dev, staging and production). Production waits for a manual approval like any real
 * run; the demo grants it itself through the same approval path `slipway approve` uses.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decideApproval } from '../../pipeline/pipeline-service.js';
import type { Store } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { packageRoot } from '../package-root.js';
import { openProjectStore } from '../project.js';
import { runCommand } from './run.js';

/** Where the example project lives in the package. */
export function exampleDir(): string {
  return `${join(packageRoot(), 'examples', 'hello')}/`;
}

// Grants pending approvals of runs in the demo project, as the user `demo`, after a short pause.
function autoApprove(store: Store, ctx: CommandContext): () => void {
  let stopped = false;
  const tick = async () => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, 300));
      if (stopped) break;
      const [run] = await store.listRuns({ limit: 1, status: 'waiting' });
      if (!run) continue;
      for (const approval of await store.listApprovals(run.id)) {
        if (approval.status !== 'pending') continue;
        ctx.output.error(
          `(demo) approving ${approval.environment} as 'demo'; in real use someone runs: slipway approve ${run.id} ${approval.environment}`,
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

/** Runs the example pipeline in examples/hello. */
export async function demoCommand(ctx: CommandContext): Promise<number> {
  const dir = exampleDir();
  if (!existsSync(`${dir}slipway.yaml`)) throw new UsageError(`the example project is missing (${dir})`);
  ctx.output.error(`slipway demo: running the pipeline of ${dir}slipway.yaml`);
  const demoCtx: CommandContext = {
    ...ctx,
    io: { ...ctx.io, cwd: dir },
    options: { ...ctx.options, file: `${dir}slipway.yaml` },
  };
  const store = await openProjectStore(demoCtx, dir);
  const stop = autoApprove(store, ctx);
  try {
    const code = await runCommand(demoCtx, {});
    if (code === ExitCode.Ok) {
      ctx.output.error(
        'slipway demo: done. Try `slipway runs`, `slipway logs <run>` and `slipway events` in examples/hello.',
      );
    }
    return code;
  } finally {
    stop();
    await store.close();
  }
}
