/**
 * Expands a job matrix into its legs with GitHub Actions semantics: cartesian product (first
 * axis varying slowest), then `exclude`, then `include` extending or appending combinations.
 */
import type { ResolvedMatrix } from '../../config/resolved.js';
import { MatrixError } from './errors.js';

/** A value a matrix axis can take. */
export type MatrixValue = string | number | boolean;

/** One job run of a matrix: its variables and a stable display key such as `node=18, os=linux`. */
export interface MatrixLeg {
  readonly values: Readonly<Record<string, MatrixValue>>;
  readonly key: string;
}

/** GitHub's limit on the number of jobs one matrix may generate. */
export const MAX_MATRIX_LEGS = 256;

type Combination = Record<string, MatrixValue>;

/** Expands `matrix` into its legs in a deterministic order; throws MATRIX_TOO_LARGE past 256 legs. */
export function expandMatrix(matrix: ResolvedMatrix): MatrixLeg[] {
  const axisNames = Object.keys(matrix.axes);
  const originals: Combination[] = [];
  for (const combination of cartesian(matrix.axes, axisNames)) {
    if (matrix.exclude.some((rule) => matchesAll(combination, rule))) continue;
    originals.push(combination);
    if (originals.length > MAX_MATRIX_LEGS) throw tooLarge();
  }

  const appended: Combination[] = [];
  for (const entry of matrix.include) {
    const axisKeys = Object.keys(entry).filter((key) => axisNames.includes(key));
    const targets = originals.filter((combination) =>
      axisKeys.every((key) => combination[key] === entry[key]),
    );
    // Original values are never overwritten (matching guarantees that); values added by an
    // earlier include entry may be.
    for (const combination of targets) Object.assign(combination, entry);
    if (targets.length === 0) appended.push({ ...entry });
  }

  const legs = [...originals, ...appended];
  if (legs.length > MAX_MATRIX_LEGS) throw tooLarge(legs.length);
  return legs.map((values) => ({ values, key: legKey(values) }));
}

/** Lazily yields every combination of the axes, the first axis varying slowest. */
function* cartesian(
  axes: ResolvedMatrix['axes'],
  names: readonly string[],
  index = 0,
  prefix: Combination = {},
): Generator<Combination> {
  const name = names[index];
  if (name === undefined) {
    // A matrix without axes has no product at all, only its include entries.
    if (index > 0) yield { ...prefix };
    return;
  }
  for (const value of axes[name] ?? []) {
    yield* cartesian(axes, names, index + 1, { ...prefix, [name]: value });
  }
}

function matchesAll(combination: Combination, rule: Readonly<Combination>): boolean {
  return Object.entries(rule).every(([key, value]) => combination[key] === value);
}

function legKey(values: Readonly<Combination>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(', ');
}

function tooLarge(count?: number): MatrixError {
  const size = count === undefined ? `more than ${MAX_MATRIX_LEGS}` : String(count);
  return new MatrixError(
    'MATRIX_TOO_LARGE',
    `the matrix expands to ${size} jobs; the limit is ${MAX_MATRIX_LEGS}`,
  );
}
