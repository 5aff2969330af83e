/**
 * Checks rendered manifests offline against the schemas of one Kubernetes release, like kubeconform's
 * strict mode: every document must be an object with apiVersion, kind and metadata.name, of a kind the
 * release serves, with no unknown field and no value of the wrong type. Custom resources cannot be
 * checked and get a warning.
 */
import type { ErrorObject } from 'ajv';
import type { KubernetesSchemas } from './kubernetes-schemas.js';
import type { ManifestCheck, ManifestIssue, ManifestSource, RenderedManifest } from './manifest-issue.js';
import { type ParsedDocument, parseManifests } from './parse-manifests.js';
import { describeSchemaError, fieldPath, type Path, pointerPath } from './schema-error.js';

/** What to check manifests against. */
export interface ValidateOptions {
  /** The Kubernetes release, e.g. `1.35`. */
  readonly version: string;
  readonly schemas: KubernetesSchemas;
}

/** Parses `sources` and checks every document; the manifests come back whatever their issues. */
export function validateManifests(
  sources: readonly ManifestSource[],
  options: ValidateOptions,
): ManifestCheck {
  const parsed = parseManifests(sources);
  const manifests: RenderedManifest[] = [];
  const issues: ManifestIssue[] = [...parsed.issues];
  const seen = new Map<string, RenderedManifest>();
  for (const doc of parsed.documents) {
    const manifest = describe(doc);
    manifests.push(manifest);
    issues.push(...checkObject(doc, doc.value, [], options));
    if (manifest.kind === undefined || manifest.name === undefined) continue;
    const identity = `${manifest.apiVersion}/${manifest.kind}/${manifest.namespace ?? ''}/${manifest.name}`;
    const first = seen.get(identity);
    if (first === undefined) seen.set(identity, manifest);
    else issues.push(duplicate(doc, manifest, first));
  }
  return { manifests, issues };
}

function describe(doc: ParsedDocument): RenderedManifest {
  const object = isRecord(doc.value) ? doc.value : {};
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  return {
    file: doc.source.file,
    origin: doc.source.origin,
    document: doc.document,
    ...stringField('apiVersion', object.apiVersion),
    ...stringField('kind', object.kind),
    ...stringField('name', metadata.name),
    ...stringField('namespace', metadata.namespace),
    object: doc.value,
  };
}

function checkObject(
  doc: ParsedDocument,
  value: unknown,
  at: Path,
  options: ValidateOptions,
): ManifestIssue[] {
  const issue = (path: Path, message: string, severity: ManifestIssue['severity'] = 'error') =>
    makeIssue(doc, value, [...at, ...path], message, severity);
  if (!isRecord(value))
    return [
      issue([], 'not a Kubernetes object: a document must be a mapping with apiVersion, kind and metadata'),
    ];
  const issues: ManifestIssue[] = [];
  const { apiVersion, kind } = value;
  const metadata = isRecord(value.metadata) ? value.metadata : undefined;
  for (const [path, field] of [
    [['apiVersion'], apiVersion],
    [['kind'], kind],
    [['metadata', 'name'], metadata?.name],
  ] as const) {
    const name = path.join('.');
    if (field === undefined || field === null || field === '')
      issues.push(issue([...path], `${name} is missing`));
    else if (typeof field !== 'string') issues.push(issue([...path], `${name} must be a string`));
  }
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '')
    return issues;
  if (apiVersion === 'v1' && kind === 'List' && Array.isArray(value.items))
    return value.items.flatMap((item, i) => checkObject(doc, item, [...at, 'items', i], options));
  const lookup = options.schemas.lookup(options.version, apiVersion, kind);
  if (lookup.status === 'custom')
    return [
      ...issues,
      issue(
        [],
        `not validated: no schema for ${apiVersion}/${kind} in Kubernetes ${options.version}`,
        'warning',
      ),
    ];
  if (lookup.status === 'unknown') {
    const served = lookup.servedAs.length > 0 ? `; it serves ${kind} as ${lookup.servedAs.join(', ')}` : '';
    return [
      ...issues,
      issue(['kind'], `Kubernetes ${options.version} has no ${kind} in ${apiVersion}${served}`),
    ];
  }
  if (lookup.validate(withoutNulls(value))) return issues;
  for (const error of lookup.validate.errors ?? []) issues.push(schemaIssue(error, issue));
  return issues;
}

function schemaIssue(
  error: ErrorObject,
  issue: (path: Path, message: string) => ManifestIssue,
): ManifestIssue {
  const path = pointerPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') path.push(String(params.additionalProperty));
  if (error.keyword === 'required') path.push(String(params.missingProperty));
  return issue(path, describeSchemaError(error));
}

function makeIssue(
  doc: ParsedDocument,
  object: unknown,
  path: Path,
  message: string,
  severity: ManifestIssue['severity'],
): ManifestIssue {
  const record = isRecord(object) ? object : {};
  const metadata = isRecord(record.metadata) ? record.metadata : {};
  const at = doc.locate(path);
  return {
    severity,
    file: doc.source.file,
    ...(at === undefined ? {} : { line: at.line, col: at.col }),
    document: doc.document,
    ...stringField('kind', record.kind),
    ...stringField('name', metadata.name),
    path: fieldPath(path),
    message,
  };
}

function duplicate(doc: ParsedDocument, manifest: RenderedManifest, first: RenderedManifest): ManifestIssue {
  return makeIssue(
    doc,
    manifest.object,
    [],
    `${manifest.kind} ${manifest.name} is defined twice: also in ${first.file} (document ${first.document}); the later one would win`,
    'warning',
  );
}

// kubectl drops fields set to null before sending an object, so a null is never a wrong type.
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) if (child !== null) out[key] = withoutNulls(child);
  return out;
}

function stringField<K extends string>(key: K, value: unknown): { [P in K]?: string } {
  return (typeof value === 'string' && value !== '' ? { [key]: value } : {}) as { [P in K]?: string };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
