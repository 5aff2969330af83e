/**
 * Kubernetes' published schemas (schema/kubernetes/, one gzip file per release), loaded on first use
 * and compiled with ajv into one validator per (release, definition), kept for the life of the object.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Ajv, type ValidateFunction } from 'ajv';
import { KUBERNETES_VERSIONS } from '../../config/infrastructure-schema.js';
import { packageRoot } from '../../package/package-root.js';
import { InfraError } from '../errors.js';
import { type SchemaNode, strictDefinitions } from './strict-definitions.js';

/** `1.35`, `v1.35` or `1.35.2` as the release it names among KUBERNETES_VERSIONS (config's list), or undefined. */
export function schemaVersion(version: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)(\.\d+)?$/.exec(version.trim());
  const minor = m ? `${m[1]}.${m[2]}` : undefined;
  return (KUBERNETES_VERSIONS as readonly string[]).find((shipped) => shipped === minor);
}

/** What a release knows of an apiVersion and kind. */
export type SchemaLookup =
  | { readonly status: 'found'; readonly validate: ValidateFunction }
  /** The group is none of the release's own and has a dot: a custom resource, which it cannot check. */
  | { readonly status: 'custom' }
  /** A group of the release (or a dotless, built-in one) without this version or kind. */
  | { readonly status: 'unknown'; readonly servedAs: readonly string[] };

interface Release {
  readonly ajv: Ajv;
  readonly id: string;
  /** `apps/v1/Deployment` -> definition name. */
  readonly definitions: ReadonlyMap<string, string>;
  readonly groups: ReadonlySet<string>;
  /** kind -> the apiVersions that serve it. */
  readonly apiVersions: ReadonlyMap<string, readonly string[]>;
  readonly validators: Map<string, ValidateFunction>;
}

// The spec's formats say how Go stores a value, not what the API refuses: all are accepted.
const FORMATS = {
  int32: { type: 'number', validate: () => true },
  int64: { type: 'number', validate: () => true },
  double: { type: 'number', validate: () => true },
  byte: { type: 'string', validate: () => true },
  'date-time': { type: 'string', validate: () => true },
  'int-or-string': { type: 'string', validate: () => true },
} as const;

/** The schemas of every shipped release, each loaded and compiled on first use. */
export class KubernetesSchemas {
  readonly #dir: string;
  readonly #releases = new Map<string, Release>();

  /** `dir` holds `v<release>.json.gz` files; by default the ones shipped in the package. */
  constructor(dir: string = join(packageRoot(), 'schema', 'kubernetes')) {
    this.#dir = dir;
  }

  /** The validator of `apiVersion`/`kind` in `version`, or why there is none. Throws for a release not shipped. */
  lookup(version: string, apiVersion: string, kind: string): SchemaLookup {
    const release = this.#release(version);
    const definition = release.definitions.get(`${apiVersion}/${kind}`);
    if (definition === undefined) {
      const slash = apiVersion.indexOf('/');
      const group = slash === -1 ? '' : apiVersion.slice(0, slash);
      if (!release.groups.has(group) && group.includes('.')) return { status: 'custom' };
      return { status: 'unknown', servedAs: release.apiVersions.get(kind) ?? [] };
    }
    let validate = release.validators.get(definition);
    if (validate === undefined) {
      validate = release.ajv.getSchema(`${release.id}#/definitions/${definition}`);
      if (validate === undefined) throw new Error(`schema of Kubernetes ${version} lacks ${definition}`);
      release.validators.set(definition, validate);
    }
    return { status: 'found', validate };
  }

  #release(version: string): Release {
    const minor = schemaVersion(version);
    if (minor === undefined)
      throw new InfraError(
        'INFRA_MANIFEST_INVALID',
        `no schema for Kubernetes ${version}: Slipway checks manifests against ${KUBERNETES_VERSIONS.join(', ')}`,
      );
    let release = this.#releases.get(minor);
    if (release === undefined) {
      release = this.#load(minor);
      this.#releases.set(minor, release);
    }
    return release;
  }

  #load(minor: string): Release {
    const spec = JSON.parse(
      gunzipSync(readFileSync(join(this.#dir, `v${minor}.json.gz`))).toString('utf8'),
    ) as {
      definitions: Record<string, SchemaNode>;
    };
    const definitions = new Map<string, string>();
    const groups = new Set<string>();
    const apiVersions = new Map<string, string[]>();
    for (const [name, node] of Object.entries(spec.definitions)) {
      const gvks = node['x-kubernetes-group-version-kind'];
      if (!Array.isArray(gvks)) continue;
      for (const { group, version, kind } of gvks as { group: string; version: string; kind: string }[]) {
        const apiVersion = group === '' ? version : `${group}/${version}`;
        if (!definitions.has(`${apiVersion}/${kind}`)) definitions.set(`${apiVersion}/${kind}`, name);
        groups.add(group);
        const served = apiVersions.get(kind) ?? [];
        if (!served.includes(apiVersion)) apiVersions.set(kind, [...served, apiVersion]);
      }
    }
    // strict off: the spec carries `x-kubernetes-*` keywords; its own schemas need no checking.
    const ajv = new Ajv({
      strict: false,
      allErrors: true,
      verbose: true,
      validateSchema: false,
      formats: FORMATS,
    });
    const id = `https://slipway.dev/schema/kubernetes/v${minor}.json`;
    ajv.addSchema({ $id: id, definitions: strictDefinitions(spec.definitions) });
    return { ajv, id, definitions, groups, apiVersions, validators: new Map() };
  }
}
