/** Runs the kubectl commands of kubectl-commands.ts and reads their answers; nothing here decides what to run. */
import {
  applyArgs,
  diffArgs,
  dryRunArgs,
  type KubectlConnection,
  kustomizeArgs,
} from './kubectl-commands.js';
import { runTool, type Tool } from './run-tool.js';

/** How to reach kubectl. */
export interface KubectlOptions {
  /** The kubectl program, a name on PATH or a path (default: `kubectl`). */
  readonly kubectl?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

/** What `kubectl diff` found. */
export interface KubectlDiff {
  /** True when a live object differs from its manifest (or does not exist yet). */
  readonly changed: boolean;
  /** The unified diff, empty when nothing changes. */
  readonly text: string;
}

function kubectl(options: KubectlOptions): Tool {
  return { name: 'kubectl', path: options.kubectl ?? 'kubectl' };
}

function call(options: KubectlOptions, args: string[], okExitCodes?: number[]) {
  return {
    args,
    env: options.env,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(okExitCodes === undefined ? {} : { okExitCodes }),
  };
}

/** The objects of the kustomization in `dir`, as one YAML stream. */
export async function kubectlKustomize(dir: string, options: KubectlOptions): Promise<string> {
  return (await runTool(kubectl(options), call(options, kustomizeArgs(dir)))).stdout;
}

/** The server-side dry run of the manifests in `file`: kubectl's lines, one per object. */
export async function kubectlDryRun(
  connection: KubectlConnection,
  file: string,
  options: KubectlOptions,
): Promise<string> {
  return (await runTool(kubectl(options), call(options, dryRunArgs(connection, file)))).stdout;
}

/** The diff between the manifests in `file` and the live objects. */
export async function kubectlDiff(
  connection: KubectlConnection,
  file: string,
  options: KubectlOptions,
): Promise<KubectlDiff> {
  // kubectl diff: 0 is no difference, 1 is differences found, anything else is a failure.
  const result = await runTool(kubectl(options), call(options, diffArgs(connection, file), [0, 1]));
  return { changed: result.exitCode === 1, text: result.stdout };
}

/** The server-side apply of the manifests in `file`: kubectl's lines, one per object. */
export async function kubectlApply(
  connection: KubectlConnection,
  file: string,
  options: KubectlOptions,
): Promise<string> {
  return (await runTool(kubectl(options), call(options, applyArgs(connection, file)))).stdout;
}
