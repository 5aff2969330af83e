/**
 * Makes the file paths of reports project-relative: `file://` URIs and absolute paths under the project
 * lose the project directory, a leading `%SRCROOT%/` or `./` is dropped, percent-escapes are decoded.
 * Paths outside the project and URIs of other schemes are kept as they are.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** `uri` as a path relative to `projectRoot` when it lies under it; other URIs are kept as they are. */
export function projectPath(uri: string, projectRoot: string | undefined): string {
  let path: string;
  if (uri.startsWith('file:')) {
    try {
      path = fileURLToPath(uri);
    } catch {
      return uri;
    }
  } else if (SCHEME.test(uri)) {
    return uri;
  } else {
    path = safeDecode(uri.replace(/^%[A-Za-z_]+%[\\/]/, ''));
  }
  if (isAbsolute(path)) {
    if (projectRoot === undefined) return path;
    const inside = relative(projectRoot, path);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return path;
    path = inside;
  }
  if (sep !== '/') path = path.split(sep).join('/');
  while (path.startsWith('./')) path = path.slice(2);
  return path;
}

function safeDecode(uri: string): string {
  if (!uri.includes('%')) return uri;
  try {
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
}
