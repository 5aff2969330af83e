/**
 * Loads `flags:`: the inline flag document and every file of `sources`, each checked against
 * flagd's schema with its problems at its own `file:line:col`, then merged into one flag set in
 * which a flag key and an evaluator name are declared once, wherever that is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlagDefinition, FlagDocument, JsonValue } from '../flags/flag-document.js';
import { type FlagIssue, flagDocumentIssues } from '../flags/flagd-schema.js';
import type { ConfigPath, Diagnostic } from './diagnostic.js';
import { type ConfigInputs, digestOf, matchSources } from './flag-source-files.js';
import type { FlagsOutput } from './flags-schema.js';
import type { ResolvedFlags } from './resolved-flags.js';
import { pos } from './rule-diagnostics.js';
import { type ConfigSource, type Position, parseSource } from './source.js';
import { didYouMean } from './suggest.js';

/** Where the config file is: the directory `sources` are relative to, and the file's name in it. */
export interface ConfigLocation {
  readonly dir: string;
  readonly file: string;
}

/** `flags:` loaded: the merged flag set and every problem found on the way. */
export interface LoadedFlags {
  /** Every flag read, merged; where a key is declared twice, the first declaration. */
  readonly resolved: ResolvedFlags;
  /** False when a source matched nothing or could not be read: flags may be missing from `resolved`. */
  readonly complete: boolean;
  readonly diagnostics: readonly Diagnostic[];
  /** The source files read, for the config cache. */
  readonly inputs: ConfigInputs;
}

// One flag document: the inline one (under `flags:` in the config file) or a source file.
interface Part {
  /** How messages name it: the config file's name or the source's path. */
  readonly label: string;
  /** The source's path; absent for the inline document. */
  readonly file?: string;
  readonly data: Record<string, unknown>;
  readonly source: ConfigSource;
  /** Where the document is inside `source`: `['flags']` for the inline one. */
  readonly prefix: ConfigPath;
}

const FILE_KEYS = ['flags', '$evaluators', 'metadata', '$schema'];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads, checks and merges the flag documents of `flags:`. */
export function loadFlags(section: FlagsOutput, source: ConfigSource, where: ConfigLocation): LoadedFlags {
  const diagnostics: Diagnostic[] = [];
  const inline: Part = {
    label: where.file,
    data: { flags: section.flags, $evaluators: section.$evaluators, metadata: section.metadata },
    source,
    prefix: ['flags'],
  };
  const { parts, complete, files } = readSources(section.sources, source, where, diagnostics);
  const all = [inline, ...parts];
  const at = (part: Part, path: ConfigPath, key: boolean): Position =>
    key ? part.source.keyAt([...part.prefix, ...path]) : part.source.valueAt([...part.prefix, ...path]);
  const error = (part: Part, path: ConfigPath, message: string, position: Position): void => {
    diagnostics.push({
      severity: 'error',
      path: [...part.prefix, ...path],
      message,
      ...position,
      ...(part.file !== undefined ? { file: part.file } : {}),
    });
  };
  const place = (part: Part, path: ConfigPath) => `${part.label}:${pos(at(part, path, true))}`;

  // Each name once across every document: the first declaration is kept, a later one is an error.
  const merge = <T>(key: 'flags' | '$evaluators', what: string) => {
    const merged: Record<string, T> = {};
    const first = new Map<string, Part>();
    for (const part of all) {
      const entries = part.data[key];
      if (!isObject(entries)) continue;
      for (const [name, value] of Object.entries(entries)) {
        const earlier = first.get(name);
        if (earlier)
          error(
            part,
            [key, name],
            `${what} '${name}' is already declared at ${place(earlier, [key, name])}`,
            at(part, [key, name], true),
          );
        else {
          first.set(name, part);
          merged[name] = value as T;
        }
      }
    }
    return { merged, first };
  };
  const evaluators = merge<JsonValue>('$evaluators', 'evaluator');
  for (const part of all) {
    for (const issue of flagDocumentIssues(documentToCheck(part.data, evaluators.merged))) {
      const { path, key } = flagIssuePlace(part.data, issue);
      error(part, path, issue.message, at(part, path, key));
    }
  }
  const flags = merge<FlagDefinition>('flags', 'flag');
  const metadata = mergeMetadata(all, error, place, at);
  const document: FlagDocument = {
    flags: flags.merged,
    ...(Object.keys(evaluators.merged).length > 0 ? { $evaluators: evaluators.merged } : {}),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
  const declaredIn = Object.fromEntries([...flags.first].map(([key, part]) => [key, part.label]));
  return {
    resolved: { document, ofrep: { host: section.ofrep.host, port: section.ofrep.port }, declaredIn },
    complete,
    diagnostics,
    inputs: { configFile: where.file, globs: section.sources, files },
  };
}

// Reads every file the globs match, once each; a glob matching nothing or a file that does not
// parse is an error, in the config file or in that file.
function readSources(
  globs: readonly string[],
  source: ConfigSource,
  where: ConfigLocation,
  diagnostics: Diagnostic[],
): { parts: Part[]; complete: boolean; files: Record<string, string> } {
  const parts: Part[] = [];
  const files: Record<string, string> = {};
  let complete = true;
  const inConfig = (path: ConfigPath, message: string) =>
    diagnostics.push({ severity: 'error', path, message, ...source.valueAt(path) });
  const matches = matchSources(where.dir, globs, where.file);
  globs.forEach((glob, i) => {
    const path: ConfigPath = ['flags', 'sources', i];
    if (matches[i]!.length === 0) {
      complete = false;
      inConfig(path, `'${glob}' matches no file (sources are relative to the config file's directory)`);
    }
    for (const file of matches[i]!) {
      if (file in files) continue;
      let text: string;
      try {
        text = readFileSync(join(where.dir, file), 'utf8');
      } catch (error) {
        complete = false;
        inConfig(
          path,
          `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
        continue;
      }
      files[file] = digestOf(text);
      const parsed = parseSource(text);
      for (const d of parsed.syntax) diagnostics.push({ ...d, file });
      const broken = parsed.syntax.some((d) => d.severity === 'error');
      if (!broken && isObject(parsed.data)) {
        parts.push({ label: file, file, data: parsed.data, source: parsed, prefix: [] });
        for (const key of Object.keys(parsed.data).filter((k) => !FILE_KEYS.includes(k)))
          diagnostics.push({
            severity: 'error',
            path: [key],
            message: `unknown key '${key}'${didYouMean(key, FILE_KEYS)} (a flag file holds \`flags\`, \`$evaluators\` and \`metadata\`)`,
            ...parsed.keyAt([key]),
            file,
          });
        continue;
      }
      complete = false;
      if (broken) continue;
      const got =
        parsed.data === null || parsed.data === undefined
          ? 'the file is empty'
          : `got ${Array.isArray(parsed.data) ? 'a list' : `${typeof parsed.data} ${String(parsed.data)}`}`;
      diagnostics.push({
        severity: 'error',
        path: [],
        message: `a flag file holds a flagd flag document, a mapping with \`flags\`: ${got}`,
        ...parsed.valueAt([]),
        file,
      });
    }
  });
  return { parts, complete, files };
}

// The document flagd's schema checks for one part: its own keys, with every other part's
// evaluators stood in for by an empty rule so a `$ref` to them resolves and their problems are
// reported once, where they are written.
function documentToCheck(data: Record<string, unknown>, evaluators: Record<string, unknown>): unknown {
  const { $schema: _schema, ...doc } = data;
  const own = doc.$evaluators;
  if (own !== undefined && !isObject(own)) return doc;
  const others = Object.fromEntries(Object.keys(evaluators).map((name) => [name, {}]));
  const merged = { ...others, ...(own ?? {}) };
  return Object.keys(merged).length > 0 ? { ...doc, $evaluators: merged } : doc;
}

/**
 * Where a flagd schema issue about `data` is shown: an unknown key at the key itself, a mapping
 * or list at its key (`key: true`), a scalar at its value.
 */
export function flagIssuePlace(data: unknown, issue: FlagIssue): { path: ConfigPath; key: boolean } {
  let value: unknown = data;
  for (const segment of issue.path)
    value = isObject(value) || Array.isArray(value) ? (value as Record<string, unknown>)[segment] : undefined;
  const unknown = /^unknown key '(.*)'$/.exec(issue.message)?.[1];
  if (unknown !== undefined && isObject(value) && Object.hasOwn(value, unknown))
    return { path: [...issue.path, unknown], key: true };
  return { path: issue.path, key: issue.path.length > 0 && typeof value === 'object' && value !== null };
}

// Set metadata of every part, merged; a key given two different values is an error.
function mergeMetadata(
  parts: readonly Part[],
  error: (part: Part, path: ConfigPath, message: string, position: Position) => void,
  place: (part: Part, path: ConfigPath) => string,
  at: (part: Part, path: ConfigPath, key: boolean) => Position,
): Record<string, string | number | boolean> {
  const merged: Record<string, string | number | boolean> = {};
  const first = new Map<string, Part>();
  for (const part of parts) {
    const metadata = part.data.metadata;
    if (!isObject(metadata)) continue;
    for (const [key, value] of Object.entries(metadata)) {
      const earlier = first.get(key);
      if (earlier === undefined) {
        first.set(key, part);
        merged[key] = value as string | number | boolean;
      } else if (merged[key] !== value)
        error(
          part,
          ['metadata', key],
          `metadata '${key}' is ${JSON.stringify(value)} here but ${JSON.stringify(merged[key])} at ${place(earlier, ['metadata', key])}`,
          at(part, ['metadata', key], false),
        );
    }
  }
  return merged;
}
