/**
 * The parsed YAML source of a config file: its syntax problems and the position of any
 * path in it, so every diagnostic points at the user's own line and column.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import type { ConfigPath, Diagnostic } from './diagnostic.js';

/** A line and column, both 1-based. */
export interface Position {
  readonly line: number;
  readonly col: number;
}

/** A parsed YAML document with position lookups. */
export interface ConfigSource {
  /** The document's value as plain data (undefined when the file is empty). */
  readonly data: unknown;
  /** YAML syntax errors and warnings, already positioned. */
  readonly syntax: readonly Diagnostic[];
  /** Where the value at `path` starts; falls back to the nearest existing ancestor. */
  valueAt(path: ConfigPath): Position;
  /** Where the key of the entry at `path` starts (the value's position for list items). */
  keyAt(path: ConfigPath): Position;
}

interface Located {
  node: unknown;
  key: unknown;
}

/** Parses YAML text into a ConfigSource; never throws on bad input. */
export function parseSource(text: string): ConfigSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const at = (offset: number | undefined): Position => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { line: pos.line, col: pos.col };
  };
  const syntax: Diagnostic[] = [];
  for (const [severity, list] of [
    ['error', doc.errors],
    ['warning', doc.warnings],
  ] as const) {
    for (const problem of list) {
      const snippet = (text.slice(problem.pos[0]).split('\n')[0] ?? '').split(':')[0]?.trim() ?? '';
      syntax.push({
        severity,
        path: [],
        message: yamlMessage(problem.code, problem.message, snippet),
        ...at(problem.pos[0]),
      });
    }
  }
  let data: unknown;
  // Duplicate keys still leave a readable document: keep going so every problem is reported at once.
  if (doc.errors.every((e) => e.code === 'DUPLICATE_KEY')) {
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      syntax.push({
        severity: 'error',
        path: [],
        message: `cannot read YAML: ${(error as Error).message}`,
        line: 1,
        col: 1,
      });
    }
  }
  const locate = (path: ConfigPath): Located[] => walk(doc, path);
  const start = (node: unknown): number | undefined => (node as Node | undefined)?.range?.[0];
  const firstPosition = (chain: Located[], useKey: boolean): Position => {
    for (let i = chain.length - 1; i >= 0; i--) {
      const step = chain[i]!;
      const offset =
        (useKey && i === chain.length - 1 ? start(step.key) : undefined) ??
        start(step.node) ??
        start(step.key);
      if (offset !== undefined) return at(offset);
    }
    return { line: 1, col: 1 };
  };
  return {
    data,
    syntax,
    valueAt: (path) => firstPosition(locate(path), false),
    keyAt: (path) => firstPosition(locate(path), true),
  };
}

// Follows the path through maps and sequences, recording each node (and its key) on the way.
function walk(doc: Document, path: ConfigPath): Located[] {
  const chain: Located[] = [{ node: doc.contents, key: undefined }];
  let current: unknown = doc.contents;
  for (const segment of path) {
    if (isAlias(current)) current = current.resolve(doc);
    let next: Located | undefined;
    if (isMap(current)) {
      for (const pair of current.items) {
        if (!isPair(pair)) continue;
        const keyValue = isScalar(pair.key) ? pair.key.value : pair.key;
        if (String(keyValue) === String(segment)) {
          next = { node: pair.value ?? undefined, key: pair.key };
          break;
        }
      }
    } else if (isSeq(current) && typeof segment === 'number') {
      const item = current.items[segment];
      if (item !== undefined) next = { node: item, key: undefined };
    }
    if (next === undefined) break;
    chain.push(next);
    current = next.node;
  }
  return chain;
}

function yamlMessage(code: string, message: string, snippet: string): string {
  const first = message.split('\n')[0] ?? message;
  switch (code) {
    case 'DUPLICATE_KEY':
      return `duplicate key '${snippet}': a key may appear only once in a mapping`;
    case 'TAB_AS_INDENT':
      return 'YAML does not allow tabs for indentation; use spaces';
    default:
      return `YAML syntax: ${first.replace(/ at line \d+, column \d+:?$/, '')}`;
  }
}
