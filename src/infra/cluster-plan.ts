/**
 * The Kubernetes and Helm part of a plan: manifests rendered and validated offline and saved with
 * the plan (what is applied after approval is that file), the cluster's dry run and diff when
 * asked; after approval, the saved manifests applied server-side, then each Helm release.
 */
import { createHash } from 'node:crypto';
import { type Dirent, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResolvedInfrastructure } from '../config/resolved-infrastructure.js';
import { PRIVATE_FILE_MODE } from '../state-files/private-modes.js';
import { InfraError } from './errors.js';
import type { InfraDeps } from './infra-deps.js';
import {
  applyHelm,
  applyKubernetes,
  checkHelm,
  checkKubernetes,
  dryRunHelm,
  dryRunKubernetes,
  type HelmRelease,
  type KubernetesTarget,
  type ManifestIssue,
  manifestStream,
} from './kubernetes/kubernetes-step.js';
import type { ClusterOutcome, InfraPlan } from './plan-record.js';

function kubernetesTarget(deps: InfraDeps, infra: ResolvedInfrastructure): KubernetesTarget | undefined {
  const k = infra.kubernetes;
  if (!k) return undefined;
  return {
    manifests: resolve(deps.projectDir, k.manifests),
    version: k.version,
    ...(k.context ? { context: k.context } : {}),
    ...(k.namespace ? { namespace: k.namespace } : {}),
  };
}

function helmReleases(deps: InfraDeps, infra: ResolvedInfrastructure): HelmRelease[] {
  return infra.helm.map((h) => ({
    release: h.release,
    chart: resolve(deps.projectDir, h.chart),
    values: h.values.map((v) => resolve(deps.projectDir, v)),
    ...(h.namespace ? { namespace: h.namespace, createNamespace: true } : {}),
    ...(infra.kubernetes?.context ? { context: infra.kubernetes.context } : {}),
  }));
}

function filesBelow(path: string, out: string[] = []): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    out.push(path);
    return out;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name)))
    if (entry.isDirectory()) filesBelow(join(path, entry.name), out);
    else out.push(join(path, entry.name));
  return out;
}

/** The digest of every Helm release's chart directory and values files, as they are now. */
export function helmSourcesDigest(projectDir: string, infra: ResolvedInfrastructure): string {
  const hash = createHash('sha256');
  for (const h of infra.helm) {
    hash.update(`${h.release}\0`);
    for (const file of [
      ...filesBelow(resolve(projectDir, h.chart)),
      ...h.values.map((v) => resolve(projectDir, v)),
    ]) {
      hash.update(`${file}\0`);
      try {
        hash.update(readFileSync(file));
      } catch {
        hash.update('(missing)');
      }
    }
  }
  return hash.digest('hex');
}

function refuseInvalid(issues: readonly ManifestIssue[]): void {
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length === 0) return;
  const where = (i: ManifestIssue) =>
    `${i.file}${i.line !== undefined ? `:${i.line}:${i.col ?? 1}` : ` (document ${i.document + 1})`}`;
  throw new InfraError(
    'INFRA_MANIFEST_INVALID',
    `${errors.length} manifest error(s):\n${errors
      .slice(0, 20)
      .map((i) => `${where(i)}: ${i.kind ?? '?'}/${i.name ?? '?'}${i.path ? ` ${i.path}` : ''}: ${i.message}`)
      .join('\n')}`,
  );
}

/** Renders, validates and saves the manifests to `file`; dry-runs against the cluster when asked. Null without Kubernetes or Helm. */
export async function planCluster(
  deps: InfraDeps,
  infra: ResolvedInfrastructure,
  file: string,
): Promise<ClusterOutcome | null> {
  const target = kubernetesTarget(deps, infra);
  const releases = helmReleases(deps, infra);
  if (!target && releases.length === 0) return null;
  const tools = { env: deps.env, ...(deps.signal ? { signal: deps.signal } : {}) };
  const issues: ManifestIssue[] = [];
  let manifests = 0;
  const diffs: string[] = [];
  if (target) {
    const check = await checkKubernetes(target, tools);
    refuseInvalid(check.issues);
    issues.push(...check.issues);
    manifests = check.manifests.length;
    writeFileSync(file, manifestStream(check.manifests), { mode: PRIVATE_FILE_MODE });
    deps.log(`kubernetes: ${manifests} manifests rendered and valid against Kubernetes ${target.version}`);
    if (infra.validation.dryRun) {
      const dry = await dryRunKubernetes(target, file, tools);
      deps.log(dry.dryRun);
      if (dry.diff) diffs.push(dry.diff);
    }
  }
  if (infra.validation.dryRun)
    for (const release of releases) {
      const check = await checkHelm(release, { ...tools, version: target?.version ?? '1.35' });
      refuseInvalid(check.issues);
      issues.push(...check.issues);
      const dry = await dryRunHelm(release, tools);
      if (dry.status === 'compared') diffs.push(dry.diff);
      else deps.log(`helm ${release.release}: no diff: ${dry.reason}`);
    }
  return {
    manifests,
    issues,
    releases: releases.map((r) => r.release),
    ...(diffs.length > 0 ? { diff: diffs.join('\n') } : {}),
  };
}

/** Applies the plan's saved manifests server-side, then each Helm release (atomic). */
export async function applyCluster(
  deps: InfraDeps,
  infra: ResolvedInfrastructure,
  file: string,
  plan: InfraPlan,
): Promise<void> {
  if (!plan.cluster) return;
  const tools = { env: deps.env, ...(deps.signal ? { signal: deps.signal } : {}) };
  const target = kubernetesTarget(deps, infra);
  if (target && plan.cluster.manifests > 0) {
    const { output } = await applyKubernetes(target, file, tools);
    deps.log(output);
  }
  for (const release of helmReleases(deps, infra)) {
    const { output } = await applyHelm(release, tools);
    deps.log(output);
  }
}
