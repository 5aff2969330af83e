/**
 * Runs a database tool (pg_dump, pg_restore, mariadb-dump, mariadb): its stdout written to a file
 * or read from one, its stderr kept for the error message, a missing program a typed error.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { DatabaseError } from './errors.js';

/** What a tool runs with. */
export interface ToolOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** The file the tool's stdout is written to. */
  readonly stdoutFile?: string;
  /** The file the tool reads as stdin. */
  readonly stdinFile?: string;
  /** The Debian package that has the program, for the error when it is missing. */
  readonly installHint: string;
}

/** How a tool ended: its exit code and the end of its stderr. */
export interface ToolResult {
  readonly code: number;
  readonly stderr: string;
}

/** Runs `binary args` to the end. */
export function runTool(binary: string, args: readonly string[], options: ToolOptions): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      env: { ...process.env, ...options.env },
      stdio: [options.stdinFile ? 'pipe' : 'ignore', options.stdoutFile ? 'pipe' : 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-8000);
    });
    const pending: Promise<void>[] = [];
    if (options.stdoutFile && child.stdout) {
      const out = createWriteStream(options.stdoutFile);
      child.stdout.pipe(out);
      pending.push(
        new Promise((done, fail) => {
          out.on('finish', done);
          out.on('error', fail);
        }),
      );
    }
    if (options.stdinFile && child.stdin) {
      const input = createReadStream(options.stdinFile);
      input.on('error', (error) => child.stdin?.destroy(error));
      child.stdin.on('error', () => {}); // the tool may exit before reading everything; its code tells
      input.pipe(child.stdin);
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new DatabaseError(
              'DATABASE_TOOL_MISSING',
              `'${binary}' was not found: install it (${options.installHint})`,
              { cause: error },
            )
          : new DatabaseError('SNAPSHOT_FAILED', `could not start '${binary}': ${error.message}`, {
              cause: error,
            }),
      );
    });
    child.on('close', (code, signal) => {
      Promise.all(pending).then(
        () => resolve({ code: code ?? (signal ? 128 : 1), stderr }),
        (error: Error) =>
          reject(new DatabaseError('SNAPSHOT_FAILED', `writing ${binary}'s output: ${error.message}`)),
      );
    });
  });
}

/** The last lines of a tool's stderr, for an error message. */
export function lastLines(text: string, count = 6): string {
  return text.trim().split('\n').slice(-count).join('\n');
}
