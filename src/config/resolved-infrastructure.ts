/** An environment's `infrastructure:` with its defaults applied; paths stay relative to slipway.yaml's directory. */
import type { InfrastructureOutput } from './infrastructure-schema.js';

/** The Terraform configuration of an environment. */
export interface ResolvedTerraform {
  readonly dir: string;
  readonly vars: Readonly<Record<string, string>>;
  readonly varFiles: readonly string[];
  readonly workspace?: string;
  readonly binary: string;
}

/** The Kubernetes manifests of an environment. */
export interface ResolvedKubernetes {
  readonly manifests: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly version: string;
}

/** One Helm release of an environment. */
export interface ResolvedHelmRelease {
  readonly release: string;
  readonly chart: string;
  readonly namespace?: string;
  readonly values: readonly string[];
}

/** What is provisioned before an environment's services deploy, and the checks of its plans. */
export interface ResolvedInfrastructure {
  readonly terraform?: ResolvedTerraform;
  readonly kubernetes?: ResolvedKubernetes;
  readonly helm: readonly ResolvedHelmRelease[];
  readonly validation: {
    readonly dryRun: boolean;
    readonly costEstimate: boolean;
    readonly complianceCheck: boolean;
  };
  /** Globs of the policy files (empty without `policies`). */
  readonly policies: readonly string[];
  readonly pricing?: string;
  /** How often the server looks for drift, in ms; absent when it does not. */
  readonly driftEveryMs?: number;
}

/** Resolves `infrastructure:` as parsed by the schema. */
export function resolveInfrastructure(input: InfrastructureOutput): ResolvedInfrastructure {
  const tf = input.terraform;
  return {
    ...(tf
      ? {
          terraform: {
            dir: tf.dir,
            vars: Object.fromEntries(Object.entries(tf.vars).map(([k, v]) => [k, String(v)])),
            varFiles: tf.varFiles,
            ...(tf.workspace ? { workspace: tf.workspace } : {}),
            binary: tf.binary,
          },
        }
      : {}),
    ...(input.kubernetes ? { kubernetes: { ...input.kubernetes } } : {}),
    helm: input.helm.map((h) => ({ ...h })),
    validation: { ...input.validation },
    policies:
      input.policies === undefined
        ? []
        : typeof input.policies === 'string'
          ? [input.policies]
          : input.policies,
    ...(input.pricing ? { pricing: input.pricing } : {}),
    ...(input.drift ? { driftEveryMs: input.drift.every } : {}),
  };
}
