/** The database snapshots a CLI deploy takes before its first step, printed as they are taken. */
import { join } from 'node:path';
import { takeSnapshots } from '../databases/take-snapshots.js';
import type { BeforeRollout } from '../rollout/controller/controller-types.js';
import type { Store } from '../store/store.js';
import type { StoredSnapshot } from '../store/stored-snapshots.js';
import type { CommandContext } from './context.js';
import { stateDirOf } from './platform.js';
import { actorOf } from './project.js';

/** Where a project's snapshot files go. */
export function snapshotDirOf(projectDir: string): string {
  return join(stateDirOf(projectDir), 'snapshots');
}

/** Snapshots the deploy's databases by their policy; a failure stops the deploy. */
export function snapshotBeforeDeploy(
  ctx: CommandContext,
  deps: { store: Store; projectDir: string; secret: (name: string) => string | undefined },
  deploy: BeforeRollout,
): Promise<StoredSnapshot[]> {
  return takeSnapshots({
    store: deps.store,
    projectDir: deps.projectDir,
    dir: snapshotDirOf(deps.projectDir),
    environment: deploy.env,
    databases: deploy.databases,
    secret: deps.secret,
    actor: actorOf(ctx),
    service: deploy.service,
    revision: deploy.revision,
    stableRevision: deploy.stable ?? null,
    reason: { migrates: deploy.migrates },
    onLine: (line) => {
      if (!ctx.output.json) ctx.output.line(`${deploy.service}: ${line}`);
    },
  });
}
