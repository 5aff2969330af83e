/** Turns ajv's complaints about a manifest into the words and field paths a Kubernetes user reads. */
import type { ErrorObject } from 'ajv';

/** A field's place in an object: keys and list indexes from the root. */
export type Path = (string | number)[];

/** A JSON pointer (`/spec/containers/0`) as a path; all-digit steps are list indexes. */
export function pointerPath(pointer: string): Path {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((step) => (/^\d+$/.test(step) ? Number(step) : step));
}

/** A path as kubectl writes it: `spec.containers[0].image`, odd keys quoted (`labels["app.kubernetes.io/name"]`). */
export function fieldPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(step)) out += out === '' ? step : `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}

/** What is wrong, in one sentence without the path (the issue carries it). */
export function describeSchemaError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = Object.keys(
        (error.parentSchema as { properties?: object } | undefined)?.properties ?? {},
      );
      const near = closest(field, known);
      return `unknown field "${field}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`;
    }
    case 'required':
      return `missing required field "${String(params.missingProperty)}"`;
    case 'type': {
      const expected = ([] as unknown[]).concat(params.type).map(String).join(' or ');
      return `must be ${expected}, not ${typeOf(error.data)}`;
    }
    case 'pattern':
      return `${JSON.stringify(error.data)} is not a quantity (such as 250m, 0.5, 512Mi or 2)`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return error.message ?? 'is invalid';
  }
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}

// A typo is a short edit away from the field meant: a case slip, a dropped or added letter.
function closest(field: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.min(2, Math.floor(field.length / 3)));
  for (const candidate of known) {
    const d = distance(field.toLowerCase(), candidate.toLowerCase());
    if (d <= bestDistance && (best === undefined || d < distance(field.toLowerCase(), best.toLowerCase()))) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = row;
  }
  return previous[b.length]!;
}
