/** Runs one Terraform command: output streamed line by line to a log, captured, and its exit code returned. */
import { spawn } from 'node:child_process';
import { InfraError } from '../errors.js';

/** How a Terraform command ended. */
export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where a command's lines go as they come (stdout and stderr alike). */
export type LineSink = (line: string, stream: 'stdout' | 'stderr') => void;

/** What a command runs with. */
export interface RunOptions {
  readonly env: Record<string, string>;
  /** Receives each output line; stdout is not streamed when `quiet` (e.g. `show -json`). */
  readonly onLine?: LineSink;
  readonly quiet?: boolean;
  /** Aborting interrupts Terraform (SIGINT), which releases its state lock before it exits. */
  readonly signal?: AbortSignal;
}

/** Runs `binary args`; throws INFRA_TOOL_MISSING when the program does not exist. */
export function runTerraform(
  binary: string,
  args: readonly string[],
  options: RunOptions,
): Promise<TerraformResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const stream = (name: 'stdout' | 'stderr', into: Buffer[]) => {
      let partial = '';
      const pipe = name === 'stdout' ? child.stdout : child.stderr;
      pipe.on('data', (chunk: Buffer) => {
        into.push(chunk);
        if (!options.onLine || (name === 'stdout' && options.quiet)) return;
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) options.onLine(line, name);
      });
      pipe.on('end', () => {
        if (partial !== '' && options.onLine && !(name === 'stdout' && options.quiet))
          options.onLine(partial, name);
      });
    };
    stream('stdout', out);
    stream('stderr', err);
    const onAbort = () => child.kill('SIGINT');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(
        error.code === 'ENOENT'
          ? new InfraError(
              'INFRA_TOOL_MISSING',
              `'${binary}' was not found: install Terraform (https://developer.hashicorp.com/terraform/install) or set infrastructure.terraform.binary`,
              { cause: error },
            )
          : new InfraError('INFRA_TOOL_FAILED', `could not start '${binary}': ${error.message}`, {
              cause: error,
            }),
      );
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** The last lines of a failed command's stderr (or stdout), for an error message. */
export function failureText(result: TerraformResult, lines = 12): string {
  const text = (result.stderr.trim() !== '' ? result.stderr : result.stdout).trim();
  return text.split('\n').slice(-lines).join('\n');
}
