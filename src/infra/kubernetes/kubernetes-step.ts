/**
 * What the rest of infra calls for Kubernetes and Helm: check offline while planning (render, then
 * validate against the release's schemas), dry-run and diff against the cluster, and apply after
 * approval. Manifests are applied from the stream file the plan saved, so what runs is what was approved.
 */
import { readFile } from 'node:fs/promises';
import type { HelmRelease } from '../helm/helm-commands.js';
import { type HelmOptions, hasHelmDiff, helmDiff, helmTemplate, helmUpgrade } from '../helm/helm-runner.js';
import { helmTemplateSources } from '../helm/helm-template-sources.js';
import type { KubectlConnection } from './kubectl-commands.js';
import { type KubectlOptions, kubectlApply, kubectlDiff, kubectlDryRun } from './kubectl-runner.js';
import { KubernetesSchemas, schemaVersion } from './kubernetes-schemas.js';
import type { ManifestCheck } from './manifest-issue.js';
import { renderManifests } from './render-manifests.js';
import { validateManifests } from './validate-manifests.js';

export type { HelmRelease } from '../helm/helm-commands.js';
export { manifestStream } from './kubectl-commands.js';
export { KubernetesSchemas } from './kubernetes-schemas.js';
export {
  hasErrors,
  type ManifestCheck,
  type ManifestIssue,
  type RenderedManifest,
} from './manifest-issue.js';

/** An environment's Kubernetes manifests and the cluster they go to, with absolute paths. */
export interface KubernetesTarget extends KubectlConnection {
  /** The directory of plain manifests or of a kustomization. */
  readonly manifests: string;
  /** The Kubernetes release the manifests are validated against, e.g. `1.35`. */
  readonly version: string;
}

/** The compiled schemas shared by checks (compiling them is the slow part): pass one to reuse it. */
export interface SchemaOption {
  readonly schemas?: KubernetesSchemas;
}

/** What the cluster said of the manifests without changing anything. */
export interface KubernetesDryRun {
  /** `kubectl apply --server-side --dry-run=server`'s lines, one per object. */
  readonly dryRun: string;
  /** True when a live object differs from its manifest or does not exist yet. */
  readonly changed: boolean;
  /** `kubectl diff`'s unified diff, empty when nothing changes. */
  readonly diff: string;
}

/** helm-diff's preview, or why there is none. */
export type HelmDryRun =
  | { readonly status: 'compared'; readonly diff: string }
  | { readonly status: 'skipped'; readonly reason: string };

let sharedSchemas: KubernetesSchemas | undefined;

function schemasOf(option: SchemaOption): KubernetesSchemas {
  // The schemas are read-only data; one compiled set per process is a cache, not state.
  if (option.schemas !== undefined) return option.schemas;
  sharedSchemas ??= new KubernetesSchemas();
  return sharedSchemas;
}

/** Renders the target's manifests (kustomize when there is a kustomization) and validates them offline. */
export async function checkKubernetes(
  target: KubernetesTarget,
  options: KubectlOptions & SchemaOption,
): Promise<ManifestCheck> {
  const sources = await renderManifests(target.manifests, options);
  return validateManifests(sources, { version: target.version, schemas: schemasOf(options) });
}

/** The server-side dry run and the diff of the manifest stream in `file` (see manifestStream) against the cluster. */
export async function dryRunKubernetes(
  target: KubernetesTarget,
  file: string,
  options: KubectlOptions,
): Promise<KubernetesDryRun> {
  if (await isEmpty(file)) return { dryRun: '', changed: false, diff: '' };
  const dryRun = await kubectlDryRun(target, file, options);
  const diff = await kubectlDiff(target, file, options);
  return { dryRun, changed: diff.changed, diff: diff.text };
}

/** Applies the manifest stream in `file` server-side: kubectl's lines, one per object. */
export async function applyKubernetes(
  target: KubernetesTarget,
  file: string,
  options: KubectlOptions,
): Promise<{ readonly output: string }> {
  if (await isEmpty(file)) return { output: '' };
  return { output: await kubectlApply(target, file, options) };
}

/** Renders the release with `helm template` for Kubernetes `version` and validates the output offline. */
export async function checkHelm(
  release: HelmRelease,
  options: HelmOptions & SchemaOption & { readonly version: string },
): Promise<ManifestCheck> {
  const version = schemaVersion(options.version) ?? options.version;
  const output = await helmTemplate(release, version, options);
  return validateManifests(helmTemplateSources(output, release.chart), {
    version,
    schemas: schemasOf(options),
  });
}

/** helm-diff's preview of the upgrade when the plugin is installed; skipped (with the reason) otherwise. */
export async function dryRunHelm(release: HelmRelease, options: HelmOptions): Promise<HelmDryRun> {
  if (!(await hasHelmDiff(options)))
    return {
      status: 'skipped',
      reason:
        'the helm-diff plugin is not installed (helm plugin install https://github.com/databus23/helm-diff)',
    };
  return { status: 'compared', diff: await helmDiff(release, options) };
}

/** Installs or upgrades the release with `helm upgrade --install --atomic`: helm's report. */
export async function applyHelm(
  release: HelmRelease,
  options: HelmOptions,
): Promise<{ readonly output: string }> {
  return { output: await helmUpgrade(release, options) };
}

async function isEmpty(file: string): Promise<boolean> {
  return (await readFile(file, 'utf8')).trim() === '';
}
