/** The schema of an environment's `infrastructure:`: Terraform, Kubernetes manifests and Helm releases, provisioned before its services. */
import { z } from 'zod';
import { duration } from './fields.js';

/** The Kubernetes releases whose published schemas Slipway validates manifests against offline. */
export const KUBERNETES_VERSIONS = ['1.32', '1.33', '1.34', '1.35'] as const;

const terraformSchema = z
  .strictObject({
    dir: z.string().min(1).describe('Directory of the Terraform configuration, relative to slipway.yaml.'),
    vars: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe('Input variables, passed as `-var name=value` (default: none).'),
    varFiles: z
      .array(z.string().min(1))
      .default([])
      .describe('Variable files relative to slipway.yaml, passed as `-var-file` (default: none).'),
    workspace: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, { error: 'a workspace name holds only letters, digits, _ and -' })
      .optional()
      .describe('Terraform workspace, selected (or created) before planning (default: `default`).'),
    binary: z
      .string()
      .min(1)
      .default('terraform')
      .describe('The terraform program, a name on PATH or a path (default: `terraform`).'),
  })
  .describe(
    'The Terraform configuration of the environment: planned, approved, then applied from the saved plan.',
  );

const kubernetesSchema = z
  .strictObject({
    manifests: z
      .string()
      .min(1)
      .describe(
        'Directory of manifests (YAML or JSON), or of a `kustomization.yaml`, relative to slipway.yaml.',
      ),
    context: z
      .string()
      .min(1)
      .optional()
      .describe('kubeconfig context of the cluster (default: the current one).'),
    namespace: z
      .string()
      .min(1)
      .optional()
      .describe("Namespace for resources that name none (default: the context's)."),
    version: z
      .enum(KUBERNETES_VERSIONS)
      .default('1.35')
      .describe('Kubernetes release whose published schemas validate the manifests (default: `1.35`).'),
  })
  .describe('Kubernetes manifests, applied server-side after Terraform.');

const helmReleaseSchema = z
  .strictObject({
    release: z.string().min(1).describe('Release name.'),
    chart: z.string().min(1).describe('Chart directory, relative to slipway.yaml.'),
    namespace: z.string().min(1).optional().describe("Namespace of the release (default: the context's)."),
    values: z
      .array(z.string().min(1))
      .default([])
      .describe('Values files relative to slipway.yaml, in order (default: none).'),
  })
  .describe('One Helm release, installed or upgraded with `helm upgrade --install --atomic`.');

const validationSchema = z
  .strictObject({
    dryRun: z
      .boolean()
      .default(false)
      .describe('Dry-run Kubernetes and Helm against the cluster while planning (default: false).'),
    costEstimate: z
      .boolean()
      .default(true)
      .describe(
        'Estimate the monthly cost of the plan from `pricing` (default: true when `pricing` is set).',
      ),
    complianceCheck: z
      .boolean()
      .default(true)
      .describe('Check the plan against `policies` (default: true when `policies` is set).'),
  })
  .describe('Checks made while planning.');

const driftSchema = z
  .strictObject({
    every: duration.describe('How often `slipway server` looks for drift, e.g. `6h`.'),
  })
  .describe('Scheduled drift detection on the server.');

/** `environments.<name>.infrastructure`: what is provisioned before the environment's services deploy. */
export const infrastructureSchema = z
  .strictObject({
    terraform: terraformSchema.optional(),
    kubernetes: kubernetesSchema.optional(),
    helm: z
      .array(helmReleaseSchema)
      .default([])
      .describe('Helm releases, applied after Kubernetes (default: none).'),
    validation: validationSchema
      .default({ dryRun: false, costEstimate: true, complianceCheck: true })
      .describe('Checks made while planning (default: cost and compliance on, dry run off).'),
    policies: z
      .union([z.string().min(1), z.array(z.string().min(1))])
      .optional()
      .describe('Compliance policy files (CEL rules), a glob or a list of globs relative to slipway.yaml.'),
    pricing: z
      .string()
      .min(1)
      .optional()
      .describe('The price catalogue (`pricing.yaml`) the cost estimate uses.'),
    drift: driftSchema.optional(),
  })
  .describe(
    'Infrastructure provisioned before the services deploy: Terraform first, then Kubernetes, then Helm.',
  );

export type InfrastructureOutput = z.output<typeof infrastructureSchema>;
