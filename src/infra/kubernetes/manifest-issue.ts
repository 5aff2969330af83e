/** The data Kubernetes and Helm checks pass around: rendered manifests and what is wrong with them. */

/** Where a stream of manifests came from: plain files, `kubectl kustomize` or `helm template`. */
export type ManifestOrigin = 'file' | 'kustomize' | 'helm';

/** One stream of YAML (or JSON) documents before parsing: a file's text, or a renderer's output. */
export interface ManifestSource {
  /** The file read, the kustomization directory, or the chart template (for Helm). */
  readonly file: string;
  readonly origin: ManifestOrigin;
  readonly text: string;
}

/** One Kubernetes object, parsed: what is validated and, after approval, applied. */
export interface RenderedManifest {
  readonly file: string;
  readonly origin: ManifestOrigin;
  /** The 0-based position of the document in its source, empty documents included. */
  readonly document: number;
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  /** The object as kubectl reads it (YAML 1.1 scalars: `yes` is true, `0644` is octal). */
  readonly object: unknown;
}

/** One problem with a manifest; `line`/`col` (1-based) only when the source is a file written by hand. */
export interface ManifestIssue {
  readonly severity: 'error' | 'warning';
  readonly file: string;
  readonly line?: number;
  readonly col?: number;
  readonly document: number;
  readonly kind?: string;
  readonly name?: string;
  /** The field, as `spec.template.spec.containers[0].image`; empty for the whole document. */
  readonly path: string;
  readonly message: string;
}

/** Manifests and what is wrong with them: the result of rendering and checking them offline. */
export interface ManifestCheck {
  readonly manifests: readonly RenderedManifest[];
  readonly issues: readonly ManifestIssue[];
}

/** True when `check` holds an error (warnings alone do not block a dry run or an apply). */
export function hasErrors(check: ManifestCheck): boolean {
  return check.issues.some((issue) => issue.severity === 'error');
}
