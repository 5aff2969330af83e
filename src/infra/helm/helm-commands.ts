/**
 * The helm command lines Slipway runs, as plain argv arrays (no I/O): the atomic upgrade-or-install
 * of a release, the offline `helm template` its manifests are validated from, and helm-diff's preview.
 */

/** One Helm release of an environment, with absolute paths. */
export interface HelmRelease {
  readonly release: string;
  /** The chart's directory. */
  readonly chart: string;
  readonly namespace?: string;
  /** Values files, later ones overriding earlier ones. */
  readonly values: readonly string[];
  /** Create the namespace when it does not exist (default: false). */
  readonly createNamespace?: boolean;
  readonly kubeconfig?: string;
  /** The kubeconfig context of the cluster (default: the current one). */
  readonly context?: string;
}

/** `helm upgrade --install --atomic`: installs or upgrades, waits, and rolls back when it fails. */
export function upgradeArgs(r: HelmRelease): string[] {
  return [
    'upgrade',
    '--install',
    '--atomic',
    r.release,
    r.chart,
    ...namespace(r),
    ...(r.createNamespace === true && r.namespace !== undefined ? ['--create-namespace'] : []),
    ...values(r),
    ...cluster(r),
  ];
}

/** `helm template`: the release's manifests rendered offline for Kubernetes `version` (e.g. `1.35`). */
export function templateArgs(r: HelmRelease, version: string): string[] {
  return ['template', r.release, r.chart, ...namespace(r), ...values(r), '--kube-version', `${version}.0`];
}

/** helm-diff's `helm diff upgrade`: what an upgrade would change; a release not installed yet shows whole. */
export function diffUpgradeArgs(r: HelmRelease): string[] {
  return [
    'diff',
    'upgrade',
    r.release,
    r.chart,
    ...namespace(r),
    ...values(r),
    '--allow-unreleased',
    ...cluster(r),
  ];
}

/** `helm plugin list`: the installed plugins, one per line after a header. */
export function pluginListArgs(): string[] {
  return ['plugin', 'list'];
}

function namespace(r: HelmRelease): string[] {
  return r.namespace === undefined ? [] : ['--namespace', r.namespace];
}

function values(r: HelmRelease): string[] {
  return r.values.flatMap((file) => ['--values', file]);
}

function cluster(r: HelmRelease): string[] {
  return [
    ...(r.kubeconfig === undefined ? [] : ['--kubeconfig', r.kubeconfig]),
    ...(r.context === undefined ? [] : ['--kube-context', r.context]),
  ];
}
