/** Runs the helm command lines of helm-commands.ts and reads their answers; nothing here decides what to run. */
import { runTool, type Tool, type ToolCall } from '../kubernetes/run-tool.js';
import {
  diffUpgradeArgs,
  type HelmRelease,
  pluginListArgs,
  templateArgs,
  upgradeArgs,
} from './helm-commands.js';

/** How to reach helm. */
export interface HelmOptions {
  /** The helm program, a name on PATH or a path (default: `helm`). */
  readonly helm?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

function helm(options: HelmOptions): Tool {
  return { name: 'helm', path: options.helm ?? 'helm' };
}

function call(options: HelmOptions, args: string[]): ToolCall {
  return { args, env: options.env, ...(options.signal === undefined ? {} : { signal: options.signal }) };
}

/** The release's manifests rendered offline for Kubernetes `version`, as helm prints them. */
export async function helmTemplate(
  release: HelmRelease,
  version: string,
  options: HelmOptions,
): Promise<string> {
  return (await runTool(helm(options), call(options, templateArgs(release, version)))).stdout;
}

/** True when the helm-diff plugin is installed (`helm plugin list` names `diff`). */
export async function hasHelmDiff(options: HelmOptions): Promise<boolean> {
  const { stdout } = await runTool(helm(options), call(options, pluginListArgs()));
  return stdout.split('\n').some((line) => line.trim().split(/\s+/)[0] === 'diff');
}

/** helm-diff's preview of upgrading (or installing) the release. */
export async function helmDiff(release: HelmRelease, options: HelmOptions): Promise<string> {
  return (await runTool(helm(options), call(options, diffUpgradeArgs(release)))).stdout;
}

/** Installs or upgrades the release atomically: helm's report of the release. */
export async function helmUpgrade(release: HelmRelease, options: HelmOptions): Promise<string> {
  return (await runTool(helm(options), call(options, upgradeArgs(release)))).stdout;
}
