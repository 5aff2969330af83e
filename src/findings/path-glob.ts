/**
 * The globs suppressions narrow to files with: `**` any number of directories, `*` and `?` within one
 * path segment, `{a,b}` alternatives; everything else is literal. Small on purpose: node's
 * `path.matchesGlob` is experimental in Node 20, and a library would be more than this needs.
 */

/** A matcher for project-relative, `/`-separated paths. */
export function pathGlob(glob: string): (path: string) => boolean {
  const regex = new RegExp(`^${globSource(glob)}$`);
  return (path) => regex.test(path);
}

function globSource(glob: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const atStart = i === 0 || glob[i - 1] === '/';
      const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
      if (atStart && atEnd) {
        // `**/` matches zero or more directories; a trailing `**` matches everything below.
        out += i + 2 === glob.length ? '.*' : '(?:[^/]*/)*';
        i += glob[i + 2] === '/' ? 2 : 1;
        continue;
      }
      out += '[^/]*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '{') {
      depth++;
      out += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (c === ',' && depth > 0) out += '|';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out + ')'.repeat(depth);
}
