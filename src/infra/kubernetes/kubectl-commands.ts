/**
 * The kubectl command lines Slipway runs, as plain argv arrays (no I/O): rendering a kustomization,
 * the server-side dry run, the diff and the server-side apply, each aimed at one cluster and namespace.
 */
import type { RenderedManifest } from './manifest-issue.js';

/** Which cluster and namespace a command acts on; each part falls back to kubectl's own default. */
export interface KubectlConnection {
  readonly kubeconfig?: string;
  readonly context?: string;
  /** The namespace of objects that name none. */
  readonly namespace?: string;
}

/** The field manager Slipway's server-side applies own their fields as. */
export const FIELD_MANAGER = 'slipway';

/** `kubectl kustomize DIR`: the kustomization's rendered objects on stdout. */
export function kustomizeArgs(dir: string): string[] {
  return ['kustomize', dir];
}

/** The server-side dry run of `input` (a file, or `-` for stdin): the API server validates and admits without persisting. */
export function dryRunArgs(connection: KubectlConnection, input: string): string[] {
  return [
    'apply',
    '--server-side',
    `--field-manager=${FIELD_MANAGER}`,
    '--dry-run=server',
    ...target(connection, input),
  ];
}

/** `kubectl diff` of `input` against the live objects; exits 1 when they differ. */
export function diffArgs(connection: KubectlConnection, input: string): string[] {
  return ['diff', '--server-side', `--field-manager=${FIELD_MANAGER}`, ...target(connection, input)];
}

/** The server-side apply of `input`. */
export function applyArgs(connection: KubectlConnection, input: string): string[] {
  return ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, ...target(connection, input)];
}

function target(connection: KubectlConnection, input: string): string[] {
  return [
    ...(connection.kubeconfig === undefined ? [] : ['--kubeconfig', connection.kubeconfig]),
    ...(connection.context === undefined ? [] : ['--context', connection.context]),
    ...(connection.namespace === undefined ? [] : ['-n', connection.namespace]),
    '-f',
    input,
  ];
}

// Objects that others live in or are instances of go first, so one apply can create both.
const FIRST_KINDS = ['Namespace', 'CustomResourceDefinition'];

/**
 * The manifests as one YAML stream for `kubectl apply -f`: each object as JSON (exactly the value
 * validated, with no YAML scalar left to read twice), namespaces and CRDs first, otherwise in order.
 */
export function manifestStream(manifests: readonly RenderedManifest[]): string {
  const rank = (m: RenderedManifest) => {
    const i = FIRST_KINDS.indexOf(m.kind ?? '');
    return i === -1 ? FIRST_KINDS.length : i;
  };
  const ordered = [...manifests].sort((a, b) => rank(a) - rank(b));
  return ordered.map((m) => `---\n${JSON.stringify(m.object, null, 2)}\n`).join('');
}
