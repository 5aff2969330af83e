/** In-memory streams for running the CLI in-process and reading what it printed. */
import { Writable } from 'node:stream';
import type { CliIo } from '../../src/cli/context.js';

/** A CliIo whose stdout and stderr are collected into strings. */
export function captureIo(
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): CliIo & { out(): string; err(): string } {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk));
        done();
      },
    });
  return {
    cwd,
    env,
    stdout: sink((s) => {
      out += s;
    }),
    stderr: sink((s) => {
      err += s;
    }),
    out: () => out,
    err: () => err,
  };
}
