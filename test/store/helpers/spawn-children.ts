// Runs store-child.ts processes in lockstep: each stage starts in all children at once.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./store-child.ts', import.meta.url));
const STAGES = ['ready', 'opened'] as const;

/** What one child reported. */
export interface ChildResult {
  readonly code: number | null;
  readonly stderr: string;
  /** Event ids the child appended, in append order. */
  readonly ids: number[];
}

/** A started child: resolves `reached(stage)` once it printed that stage line. */
function start(config: object) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Map<string, () => void>();
  const reached = (stage: string) =>
    new Promise<void>((resolve) => {
      if (stdout.split('\n').includes(stage)) resolve();
      else waiters.set(stage, resolve);
    });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const [stage, resolve] of waiters) if (stdout.split('\n').includes(stage)) resolve();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      // A child that died early releases every barrier so the test fails instead of hanging.
      for (const resolve of waiters.values()) resolve();
      const last = stdout.trim().split('\n').at(-1) ?? '';
      const ids = last.startsWith('{') ? (JSON.parse(last) as { ids: number[] }).ids : [];
      resolve({ code, stderr, ids });
    });
  });
  return { child, reached, done };
}

/** Spawns one child per config and releases every stage in all of them at once; waits for all to exit. */
export async function runInLockstep(configs: readonly object[]): Promise<ChildResult[]> {
  const children = configs.map(start);
  for (const stage of STAGES) {
    await Promise.all(children.map((c) => c.reached(stage)));
    for (const { child } of children) if (child.stdin.writable) child.stdin.write('go\n');
  }
  return Promise.all(children.map((c) => c.done));
}
