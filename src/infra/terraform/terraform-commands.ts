/** The argv of each Terraform command Slipway runs, built as plain data (the runner executes them). */

/** One Terraform configuration as the commands see it: absolute paths. */
export interface TerraformTarget {
  /** The terraform program. */
  readonly binary: string;
  /** The configuration's directory (`-chdir`). */
  readonly dir: string;
  readonly vars: Readonly<Record<string, string>>;
  /** Absolute paths of `-var-file`s. */
  readonly varFiles: readonly string[];
  readonly workspace?: string;
}

/** How long Terraform waits for its own state lock before giving up. */
export const STATE_LOCK_TIMEOUT = '30s';

const chdir = (t: TerraformTarget) => [`-chdir=${t.dir}`];

function inputs(t: TerraformTarget): string[] {
  return [
    ...Object.entries(t.vars).map(([name, value]) => `-var=${name}=${value}`),
    ...t.varFiles.map((file) => `-var-file=${file}`),
  ];
}

/** `terraform init`, never asking. */
export function initArgs(t: TerraformTarget): string[] {
  return [...chdir(t), 'init', '-input=false', '-no-color'];
}

/** Selects the workspace, creating it the first time. */
export function workspaceArgs(t: TerraformTarget, workspace: string): string[] {
  return [...chdir(t), 'workspace', 'select', '-or-create=true', '-no-color', workspace];
}

/** A saved plan (`-out`); `refreshOnly` plans only the refresh, which is how drift is found. */
export function planArgs(t: TerraformTarget, out: string, options: { refreshOnly?: boolean } = {}): string[] {
  return [
    ...chdir(t),
    'plan',
    '-input=false',
    '-no-color',
    '-detailed-exitcode',
    `-lock-timeout=${STATE_LOCK_TIMEOUT}`,
    ...(options.refreshOnly ? ['-refresh-only'] : []),
    `-out=${out}`,
    ...inputs(t),
  ];
}

/** The saved plan as JSON. */
export function showJsonArgs(t: TerraformTarget, planFile: string): string[] {
  return [...chdir(t), 'show', '-json', '-no-color', planFile];
}

/** Applies exactly the saved plan: Terraform takes no variables and asks nothing with a plan file. */
export function applyArgs(t: TerraformTarget, planFile: string): string[] {
  return [...chdir(t), 'apply', '-input=false', '-no-color', `-lock-timeout=${STATE_LOCK_TIMEOUT}`, planFile];
}
