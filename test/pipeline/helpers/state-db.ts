// Reads a project's SQLite state directly, for the few checks that must react faster than a CLI call.
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Project } from './project.js';

/** Polls job_runs until `jobKey` of `runId` has `status`; resolves as soon as it is committed. */
export async function waitForStoredJobStatus(
  project: Project,
  runId: number,
  jobKey: string,
  status: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let db: Database.Database | undefined;
  try {
    for (;;) {
      try {
        db ??= new Database(project.path('.slipway/state.db'), { readonly: true, fileMustExist: true });
        const row = db
          .prepare('SELECT status FROM job_runs WHERE run_id = ? AND job_key = ?')
          .get(runId, jobKey) as { status: string } | undefined;
        if (row?.status === status) return;
      } catch {
        // not created yet, or busy: try again
      }
      if (performance.now() > deadline)
        throw new Error(`job ${jobKey} of run ${runId} never stored as ${status}`);
      await sleep(2);
    }
  } finally {
    db?.close();
  }
}
