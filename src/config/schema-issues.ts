/**
 * Turns zod issues into positioned diagnostics with messages written for people:
 * one per problem, unions resolved to the branch the user meant, unknown keys with a
 * "did you mean".
 */
import type { z } from 'zod';
import type { ConfigPath, Diagnostic } from './diagnostic.js';
import type { ConfigSource } from './source.js';
import { didYouMean } from './suggest.js';

type Issue = z.core.$ZodIssue;

/** Describes a YAML value's type in user terms. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string '${value.length > 40 ? `${value.slice(0, 37)}...` : value}'`;
  return `${typeof value} ${String(value)}`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  record: 'a mapping',
};

function valueAt(data: unknown, path: ConfigPath): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** Known keys of the object schema at an issue, for "did you mean" on unknown keys. */
export type KeyCatalog = (path: ConfigPath) => readonly string[];

/** Converts zod issues to diagnostics positioned in the source. */
export function issuesToDiagnostics(
  issues: readonly Issue[],
  data: unknown,
  source: ConfigSource,
  knownKeys: KeyCatalog,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const visit = (issue: Issue, base: ConfigPath): void => {
    const path = [...base, ...(issue.path as (string | number)[])];
    const value = valueAt(data, path);
    switch (issue.code) {
      case 'invalid_union': {
        const branch = pickBranch(issue.errors as Issue[][]);
        if (branch !== undefined) {
          for (const inner of branch) visit(inner, path);
          return;
        }
        const expected = [...new Set(issue.errors.flatMap((b) => b.map((i) => expectedOf(i))))].filter(
          Boolean,
        );
        const message = `expected ${expected.join(' or ')}, got ${describeType(value)}`;
        out.push({ severity: 'error', path, message, ...source.valueAt(path) });
        return;
      }
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const keyPath = [...path, key];
          const message = `unknown key '${key}'${didYouMean(key, knownKeys(path))}`;
          out.push({ severity: 'error', path: keyPath, message, ...source.keyAt(keyPath) });
        }
        return;
      case 'invalid_type': {
        if (value === undefined) {
          const key = path[path.length - 1];
          const parent = path.slice(0, -1);
          out.push({
            severity: 'error',
            path: parent,
            message: `missing required key '${String(key)}'`,
            ...source.keyAt(parent),
          });
          return;
        }
        const message =
          ownMessage(issue) ??
          `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${describeType(value)}`;
        out.push({ severity: 'error', path, message, ...source.valueAt(path) });
        return;
      }
      case 'invalid_value': {
        const options = issue.values.map(literal).join(', ');
        const hint = typeof value === 'string' ? didYouMean(value, issue.values.map(String)) : '';
        const message =
          issue.values.length === 1
            ? `expected ${options}, got ${describeType(value)}`
            : `expected one of ${options}, got ${describeType(value)}${hint}`;
        out.push({ severity: 'error', path, message, ...source.valueAt(path) });
        return;
      }
      case 'too_small':
      case 'too_big': {
        out.push({ severity: 'error', path, message: sizeMessage(issue, value), ...source.valueAt(path) });
        return;
      }
      case 'invalid_key': {
        const key = String(path[path.length - 1] ?? '');
        for (const inner of issue.issues) {
          out.push({
            severity: 'error',
            path,
            message: `invalid name '${key}': ${inner.message}`,
            ...source.keyAt(path),
          });
        }
        return;
      }
      case 'invalid_element':
        for (const inner of issue.issues) visit(inner, path);
        return;
      default: {
        const message = issue.message.startsWith('Invalid')
          ? `${issue.message.toLowerCase()}`
          : issue.message;
        out.push({ severity: 'error', path, message, ...source.valueAt(path) });
      }
    }
  };
  for (const issue of issues) visit(issue, []);
  return out;
}

// A union branch is "meant" when it got past the root type check; prefer the one that got furthest.
function pickBranch(branches: Issue[][]): Issue[] | undefined {
  const meant = branches.filter((b) => !b.every((i) => i.path.length === 0 && i.code === 'invalid_type'));
  if (meant.length === 0) return undefined;
  const depth = (b: Issue[]) => Math.max(...b.map((i) => i.path.length));
  return [...meant].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0];
}

// A message the schema itself set (not one of zod's generic "Invalid input" texts).
function ownMessage(issue: Issue): string | undefined {
  return issue.message.startsWith('Invalid') ? undefined : issue.message;
}

function literal(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

function expectedOf(issue: Issue): string {
  if (issue.code === 'invalid_type') return TYPE_WORDS[issue.expected] ?? issue.expected;
  if (issue.code === 'invalid_value') return issue.values.map(literal).join(' or ');
  return '';
}

function sizeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, value: unknown): string {
  const small = issue.code === 'too_small';
  const limit = small
    ? (issue as z.core.$ZodIssueTooSmall).minimum
    : (issue as z.core.$ZodIssueTooBig).maximum;
  if (!issue.message.startsWith('Too') && !issue.message.startsWith('Invalid')) return issue.message;
  switch (issue.origin) {
    case 'array':
      return small && Number(limit) === 1
        ? 'must not be empty'
        : `must have ${small ? 'at least' : 'at most'} ${limit} items`;
    case 'string':
      return small && Number(limit) === 1
        ? 'must not be empty'
        : `must be ${small ? 'at least' : 'at most'} ${limit} characters`;
    default:
      return `must be ${small ? 'at least' : 'at most'} ${limit}, got ${describeType(value)}`;
  }
}
