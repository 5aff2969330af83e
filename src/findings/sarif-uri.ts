/**
 * Turns a SARIF `artifactLocation` into a project-relative file path: `file://` URIs are made relative
 * to the project, `uriBaseId`s (`%SRCROOT%`) are resolved through the run's `originalUriBaseIds`, and
 * a base the run does not define is taken to be the project root, as tools writing `%SRCROOT%` mean.
 */
import { projectPath } from './project-path.js';
import type { SarifArtifactLocation, SarifRun } from './sarif-log.js';

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** A function from an artifact location of `run` to its file path; results of one file share the work. */
export function sarifUriResolver(
  run: SarifRun,
  projectRoot: string | undefined,
): (location: SarifArtifactLocation) => string | undefined {
  // By base id, then uri: results of one file share the work, with no key strings to build.
  const cache = new Map<string | undefined, Map<string, string | undefined>>();
  return (location) => {
    let artifact = location;
    if (artifact.uri === undefined && artifact.index !== undefined)
      artifact = run.artifacts?.[artifact.index]?.location ?? artifact;
    const uri = artifact.uri;
    if (uri === undefined) return undefined;
    let byUri = cache.get(artifact.uriBaseId);
    if (byUri === undefined) {
      byUri = new Map();
      cache.set(artifact.uriBaseId, byUri);
    }
    let path = byUri.get(uri);
    if (path === undefined) {
      path = projectPath(withBase(uri, artifact.uriBaseId, run), projectRoot);
      byUri.set(uri, path);
    }
    return path;
  };
}

// A base's uri ends with a slash (SARIF §3.14.14), so joining is concatenation; bases may chain.
function withBase(uri: string, baseId: string | undefined, run: SarifRun): string {
  let joined = uri;
  let id = baseId;
  for (let depth = 0; id !== undefined && depth < 8 && !SCHEME.test(joined); depth++) {
    const base = run.originalUriBaseIds?.[id];
    if (base?.uri === undefined) break;
    joined = base.uri.endsWith('/') ? base.uri + joined : `${base.uri}/${joined}`;
    id = base.uriBaseId;
  }
  return joined;
}
