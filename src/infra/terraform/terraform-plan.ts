/** Makes a saved Terraform plan: init, workspace, `plan -out -detailed-exitcode`, then `show -json` of it. */
import { InfraError } from '../errors.js';
import { initIsCurrent, markInitialized } from './init-marker.js';
import { type ReadPlan, readPlanJson } from './read-plan.js';
import {
  initArgs,
  planArgs,
  showJsonArgs,
  type TerraformTarget,
  workspaceArgs,
} from './terraform-commands.js';
import { failureText, type LineSink, runTerraform } from './terraform-runner.js';

/** What a Terraform command of Slipway's runs with. */
export interface TerraformRun {
  readonly env: Record<string, string>;
  readonly onLine?: LineSink;
  readonly signal?: AbortSignal;
}

/** A saved plan and what it holds. */
export interface SavedPlan {
  readonly file: string;
  /** True when Terraform found changes (exit code 2 of -detailed-exitcode). */
  readonly hasChanges: boolean;
  readonly plan: ReadPlan;
}

async function step(target: TerraformTarget, args: string[], run: TerraformRun, what: string): Promise<void> {
  const result = await runTerraform(target.binary, args, run);
  if (result.code !== 0)
    throw new InfraError(
      'INFRA_TOOL_FAILED',
      `terraform ${what} failed in ${target.dir}:\n${failureText(result)}`,
    );
}

/** Prepares the working directory: `init` (unless done for these very files), and the workspace when one is set. */
export async function prepareTerraform(target: TerraformTarget, run: TerraformRun): Promise<void> {
  if (!initIsCurrent(target.dir)) {
    await step(target, initArgs(target), run, 'init');
    markInitialized(target.dir);
  }
  if (target.workspace) await step(target, workspaceArgs(target, target.workspace), run, 'workspace select');
}

/** Plans into `out` and reads the plan back; `refreshOnly` for drift. */
export async function savePlan(
  target: TerraformTarget,
  out: string,
  run: TerraformRun,
  options: { refreshOnly?: boolean } = {},
): Promise<SavedPlan> {
  const result = await runTerraform(target.binary, planArgs(target, out, options), run);
  if (result.code !== 0 && result.code !== 2)
    throw new InfraError(
      'INFRA_TOOL_FAILED',
      `terraform plan failed in ${target.dir}:\n${failureText(result)}`,
    );
  const shown = await runTerraform(target.binary, showJsonArgs(target, out), { ...run, quiet: true });
  if (shown.code !== 0)
    throw new InfraError('INFRA_TOOL_FAILED', `terraform show -json failed:\n${failureText(shown)}`);
  return { file: out, hasChanges: result.code === 2, plan: readPlanJson(shown.stdout) };
}
