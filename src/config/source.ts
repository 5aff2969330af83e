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
  type Pair,
  parseDocument,
  visit,
  type YAMLError,
  type YAMLMap,
  YAMLParseError,
} from 'yaml';
import type { ConfigPath, Diagnostic } from './diagnostic.js';
import { readQuickly } from './quick-yaml.js';

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

/**
 * Parses YAML text into a ConfigSource; never throws on bad input. The data comes from the quick
 * reader when it can read the file; positions are then worked out only if something asks for one.
 */
export function parseSource(text: string): ConfigSource {
  const data = readQuickly(text);
  if (data === undefined) return parsePositioned(text);
  let positioned: ConfigSource | undefined;
  const full = () => {
    positioned ??= parsePositioned(text);
    return positioned;
  };
  return { data, syntax: [], valueAt: (path) => full().valueAt(path), keyAt: (path) => full().keyAt(path) };
}

/** Parses YAML text with every node's position; never throws on bad input. */
export function parsePositioned(text: string): ConfigSource {
  const lineCounter = new LineCounter();
  // yaml's own duplicate-key check compares each key with every earlier one (quadratic in a
  // mapping's size: seconds on a 10,000-job file); duplicateKeys below does it with one index.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: true });
  doc.errors.push(...duplicateKeys(doc));
  doc.errors.sort((a, b) => a.pos[0] - b.pos[0]);
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
  const index = new WeakMap<YAMLMap, Map<string, Pair>>();
  const locate = (path: ConfigPath): Located[] => walk(doc, path, index);
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
// Each mapping is indexed by key on its first visit, so locating every job stays linear.
function walk(doc: Document, path: ConfigPath, index: WeakMap<YAMLMap, Map<string, Pair>>): Located[] {
  const chain: Located[] = [{ node: doc.contents, key: undefined }];
  let current: unknown = doc.contents;
  for (const segment of path) {
    if (isAlias(current)) current = current.resolve(doc);
    let next: Located | undefined;
    if (isMap(current)) {
      let keys = index.get(current);
      if (keys === undefined) {
        keys = new Map();
        for (const pair of current.items) {
          if (!isPair(pair)) continue;
          const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
          if (!keys.has(name)) keys.set(name, pair);
        }
        index.set(current, keys);
      }
      const pair = keys.get(String(segment));
      if (pair !== undefined) next = { node: pair.value ?? undefined, key: pair.key };
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

// A key that repeats in one mapping, as yaml's uniqueKeys reports it: scalar keys with the same value.
function duplicateKeys(doc: Document): YAMLError[] {
  const found: YAMLError[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const value = pair.key.value;
        if (seen.has(value)) {
          const at = pair.key.range?.[0] ?? 0;
          found.push(new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
        } else seen.add(value);
      }
    },
  });
  return found;
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
