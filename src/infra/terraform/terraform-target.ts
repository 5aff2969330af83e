/** An environment's `terraform:` as the commands take it: paths made absolute against slipway.yaml's directory. */
import { resolve } from 'node:path';
import type { ResolvedTerraform } from '../../config/resolved-infrastructure.js';
import type { TerraformTarget } from './terraform-commands.js';

/** The Terraform target of `terraform`, relative paths resolved against `projectDir`. */
export function terraformTarget(projectDir: string, terraform: ResolvedTerraform): TerraformTarget {
  return {
    binary: terraform.binary,
    dir: resolve(projectDir, terraform.dir),
    vars: terraform.vars,
    varFiles: terraform.varFiles.map((file) => resolve(projectDir, file)),
    ...(terraform.workspace ? { workspace: terraform.workspace } : {}),
  };
}
