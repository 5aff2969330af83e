/**
 * Runs `release.summarize.command`: the release notes go to its stdin, its stdout becomes the
 * summary. A command that fails, prints nothing or outlives its timeout yields a reason instead.
 */
import { spawn } from 'node:child_process';

/** What the external summarizer produced. */
export type SummaryResult =
  | { readonly status: 'ok'; readonly summary: string }
  | { readonly status: 'failed'; readonly reason: string };

/** Pipes `notes` through `command` (run by `sh -c` in `cwd`), stopping its process group after `timeoutMs`. */
export function runSummarizer(
  command: string,
  notes: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<SummaryResult> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 2000) err += chunk.toString('utf8');
    });
    // A command that never reads stdin must not fail the write.
    child.stdin.on('error', () => {});
    child.stdin.end(notes);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ status: 'failed', reason: error.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const summary = Buffer.concat(out).toString('utf8').trim();
      if (timedOut) resolve({ status: 'failed', reason: `timed out after ${options.timeoutMs}ms` });
      else if (code !== 0)
        resolve({
          status: 'failed',
          reason: `exited with ${code ?? signal}${err.trim() ? `: ${err.trim().split('\n')[0]}` : ''}`,
        });
      else if (summary === '') resolve({ status: 'failed', reason: 'printed nothing' });
      else resolve({ status: 'ok', summary });
    });
  });
}
