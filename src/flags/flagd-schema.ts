/**
 * Checks a flag document against flagd's published JSON schemas (schema/flagd/, vendored from
 * open-feature/flagd-schemas), then against what the schema cannot say: a default variant that
 * names a variant, and `$ref`s that name an evaluator. Issues carry the path inside the document,
 * so the config loader can point at `file:line:col`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { packageRoot } from '../package/package-root.js';

/** One problem in a flag document, at a path of keys and indexes from its root. */
export interface FlagIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const FLAGS_ID = 'https://flagd.dev/schema/v0/flags.json';

interface Validators {
  readonly document: ValidateFunction;
  /** One flag of a known variant type, so a wrong field is reported against that type alone. */
  readonly typed: Readonly<Record<'boolean' | 'string' | 'number' | 'object', ValidateFunction>>;
}

let validators: Validators | undefined;

function compile(): Validators {
  const dir = join(packageRoot(), 'schema', 'flagd');
  const read = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as object;
  // strict off: the published schemas carry keywords (`$comment` siblings of `$ref`) strict mode rejects.
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addSchema(read('targeting.json'));
  const document = ajv.compile(read('flags.json'));
  const get = (name: string) => {
    const fn = ajv.getSchema(`${FLAGS_ID}#/definitions/${name}`);
    if (!fn) throw new Error(`flagd schema has no definition ${name}`);
    return fn;
  };
  return {
    document,
    typed: {
      boolean: get('booleanFlag'),
      string: get('stringFlag'),
      number: get('numberFlag'),
      object: get('objectFlag'),
    },
  };
}

/** Every issue of `doc` as a flagd flag document; none when it is valid. */
export function flagDocumentIssues(doc: unknown): FlagIssue[] {
  validators ??= compile();
  const semantic = semanticIssues(doc);
  const flags = isRecord(doc) ? doc.flags : undefined;
  if (validators.document(doc)) return semantic;
  const errors = validators.document.errors ?? [];
  // A flag failing the schema fails each of its four type branches; checking it against the type
  // of its first variant reports what is wrong with it as the flag it evidently means to be.
  const issues: FlagIssue[] = [];
  const perFlag = new Set<string>();
  for (const e of errors) {
    const m = /^\/flags\/([^/]+)/.exec(e.instancePath);
    if (m && isRecord(flags)) perFlag.add(m[1]!);
  }
  for (const pointerKey of perFlag) {
    const key = pointerKey.replace(/~1/g, '/').replace(/~0/g, '~');
    const flag = (flags as Record<string, unknown>)[key];
    const typed = validators.typed[firstVariantType(flag)];
    typed(flag);
    const prefix = ['flags', key];
    for (const issue of schemaIssues(typed.errors ?? []))
      issues.push({ path: [...prefix, ...issue.path], message: issue.message });
  }
  const rest = errors.filter((e) => !perFlag.has(/^\/flags\/([^/]+)/.exec(e.instancePath)?.[1] ?? ''));
  return [...schemaIssues(rest), ...issues, ...semantic];
}

function firstVariantType(flag: unknown): 'boolean' | 'string' | 'number' | 'object' {
  const variants = flag && typeof flag === 'object' ? (flag as { variants?: unknown }).variants : undefined;
  const first = variants && typeof variants === 'object' ? Object.values(variants)[0] : undefined;
  if (typeof first === 'boolean' || typeof first === 'string' || typeof first === 'number')
    return typeof first as 'boolean' | 'string' | 'number';
  return 'object';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

// Runs whatever the schema says, so one flag the schema refuses does not hide another's unknown
// `$ref`; what is not shaped like a flag is left to the schema's issues.
function semanticIssues(doc: unknown): FlagIssue[] {
  if (!isRecord(doc) || !isRecord(doc.flags)) return [];
  const issues: FlagIssue[] = [];
  const evaluators = isRecord(doc.$evaluators) ? Object.keys(doc.$evaluators) : [];
  for (const [key, flag] of Object.entries(doc.flags)) {
    if (!isRecord(flag) || !isRecord(flag.variants)) continue;
    const variants = Object.keys(flag.variants);
    if (variants.length === 0) continue;
    if (typeof flag.defaultVariant === 'string' && !variants.includes(flag.defaultVariant))
      issues.push({
        path: ['flags', key, 'defaultVariant'],
        message: `default variant '${flag.defaultVariant}' is not one of the variants of '${key}' (${variants.join(', ')})`,
      });
    for (const ref of refsIn(flag.targeting, ['flags', key, 'targeting'])) {
      if (!evaluators.includes(ref.name))
        issues.push({
          path: ref.path,
          message: `'$ref' names no evaluator '${ref.name}'${evaluators.length ? ` ($evaluators: ${evaluators.join(', ')})` : ' ($evaluators is empty)'}`,
        });
    }
  }
  return issues;
}

function* refsIn(
  value: unknown,
  path: (string | number)[],
): Generator<{ name: string; path: (string | number)[] }> {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* refsIn(item, [...path, i]);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') yield { name: v, path: [...path, k] };
      else yield* refsIn(v, [...path, k]);
    }
  }
}

// The schema's anyOf over flag types and targeting operators reports every branch; the deepest
// errors say most, so only those are kept, one per path.
function schemaIssues(errors: readonly ErrorObject[]): FlagIssue[] {
  if (errors.length === 0) return [];
  const concrete = errors.filter((e) => !['anyOf', 'oneOf', 'if', 'allOf', '$ref'].includes(e.keyword));
  const pool = concrete.length > 0 ? concrete : errors;
  const depth = (e: ErrorObject) => (e.instancePath === '' ? 0 : e.instancePath.split('/').length);
  const deepest = Math.max(...pool.map(depth));
  const byPath = new Map<string, FlagIssue>();
  for (const e of pool.filter((x) => depth(x) === deepest)) {
    const path = pointerPath(e.instancePath);
    const key = e.instancePath;
    const message = describe(e);
    const seen = byPath.get(key);
    if (!seen) byPath.set(key, { path, message });
    else if (!seen.message.includes(message))
      byPath.set(key, { path, message: `${seen.message}; or ${message}` });
  }
  return [...byPath.values()];
}

function pointerPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function describe(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown key '${String(params.additionalProperty)}'`;
    case 'required':
      return `missing '${String(params.missingProperty)}'`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return e.message ?? 'is invalid';
  }
}
