/**
 * Parses manifest sources into documents the way kubectl reads them (YAML 1.1 scalars, merge keys),
 * skipping empty documents, reporting YAML that does not parse, and keeping each document's syntax
 * tree so an issue found later can point at its line and column.
 */
import {
  type Document,
  type DocumentOptions,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type ParseOptions,
  parseAllDocuments,
  type SchemaOptions,
} from 'yaml';
import type { ManifestIssue, ManifestSource } from './manifest-issue.js';

/** One non-empty document of a source, parsed. */
export interface ParsedDocument {
  readonly source: ManifestSource;
  /** The 0-based position of the document in its source, empty documents included. */
  readonly document: number;
  readonly value: unknown;
  /** The line and column (1-based) of the field at `path`, or of its nearest ancestor in the text. */
  locate(path: readonly (string | number)[]): { line: number; col: number } | undefined;
}

// kubectl reads YAML with go-yaml v2: 1.1 booleans and octals, but timestamps and base-60 numbers stay strings.
const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  merge: true,
  customTags: (tags) =>
    tags.filter((tag) => {
      const t = tag as { tag?: string; format?: string };
      return t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME';
    }),
};

/** Every non-empty document of `sources`, and an error for each one that does not parse. */
export function parseManifests(sources: readonly ManifestSource[]): {
  documents: ParsedDocument[];
  issues: ManifestIssue[];
} {
  const documents: ParsedDocument[] = [];
  const issues: ManifestIssue[] = [];
  for (const source of sources) {
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(source.text, { ...PARSE_OPTIONS, lineCounter });
    // A stream without documents (only comments, or unparseable) may still carry errors.
    if ('empty' in docs) issues.push(...streamErrors(source, docs, lineCounter));
    for (const [document, doc] of docs.entries()) {
      if (doc.errors.length > 0) {
        for (const error of doc.errors) {
          const at = lineCounter.linePos(error.pos[0]);
          issues.push({
            severity: 'error',
            file: source.file,
            ...(source.origin === 'file' ? { line: at.line, col: at.col } : {}),
            document,
            path: '',
            message: `YAML does not parse: ${error.message.split('\n')[0]}`,
          });
        }
        continue;
      }
      const value: unknown = doc.toJS({ maxAliasCount: 1000 });
      if (value === null || value === undefined) continue;
      documents.push({
        source,
        document,
        value,
        locate: (path) => (source.origin === 'file' ? locate(doc, lineCounter, path) : undefined),
      });
    }
  }
  return { documents, issues };
}

function streamErrors(
  source: ManifestSource,
  stream: { readonly errors: readonly { pos: [number, number]; message: string }[] },
  lineCounter: LineCounter,
): ManifestIssue[] {
  return stream.errors.map((error) => {
    const at = lineCounter.linePos(error.pos[0]);
    return {
      severity: 'error',
      file: source.file,
      ...(source.origin === 'file' ? { line: at.line, col: at.col } : {}),
      document: 0,
      path: '',
      message: `YAML does not parse: ${error.message.split('\n')[0]}`,
    };
  });
}

// Walks the syntax tree along `path`; a field missing from the text (set by a merge key, say)
// leaves the nearest ancestor's position. Map entries point at their key, the name a reader looks for.
function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly (string | number)[],
): { line: number; col: number } | undefined {
  let node: unknown = doc.contents;
  let offset = isNode(node) ? node.range?.[0] : undefined;
  for (const step of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (pair === undefined) break;
      offset = isNode(pair.key) ? pair.key.range?.[0] : offset;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step];
      if (!isNode(item)) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset);
}
