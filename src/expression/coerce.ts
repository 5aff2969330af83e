// Value coercions of the GitHub Actions expression language: truthiness, numbers, text, loose comparison.
import type { CompareOperator } from './ast.js';
import { ExpressionError } from './errors.js';

const JSON_NUMBER_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:e[+-]?\d+)?$/i;
const HEX_RE = /^0x[0-9a-f]+$/i;

/** Truthiness used by conditions and `!`: false, 0, NaN, '', null and undefined are falsy. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  return true;
}

/** Converts a value to a number the way Actions does before comparing values of different types. */
export function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '') return 0;
    return JSON_NUMBER_RE.test(trimmed) || HEX_RE.test(trimmed) ? Number(trimmed) : Number.NaN;
  }
  return Number.NaN;
}

/** Renders a value as text: null/undefined as '', objects and arrays as compact JSON. */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return toJsonText(value);
}

/** JSON.stringify that reports cycles and other failures as an ExpressionError. */
export function toJsonText(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value ?? null, null, indent) ?? 'null';
  } catch (error) {
    throw new ExpressionError('EXPRESSION_EVALUATION', 'value cannot be converted to JSON', { cause: error });
  }
}

type Category = 'null' | 'boolean' | 'number' | 'string' | 'object';

function categoryOf(value: unknown): Category {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    default:
      return 'object';
  }
}

/** Loose equality of Actions: strings ignore case, other type mixes compare as numbers, objects by identity. */
export function looseEquals(left: unknown, right: unknown): boolean {
  const leftCategory = categoryOf(left);
  const rightCategory = categoryOf(right);
  if (leftCategory === rightCategory) {
    if (leftCategory === 'null') return true;
    if (leftCategory === 'string') return (left as string).toUpperCase() === (right as string).toUpperCase();
    return left === right;
  }
  if (leftCategory === 'object' || rightCategory === 'object') return false;
  return toNumber(left) === toNumber(right);
}

function order(left: unknown, right: unknown): number {
  if (typeof left === 'string' && typeof right === 'string') {
    const a = left.toUpperCase();
    const b = right.toUpperCase();
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const a = toNumber(left);
  const b = toNumber(right);
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
  return a - b;
}

/** Applies a comparison operator with Actions semantics; ordering with NaN is always false. */
export function compareValues(op: CompareOperator, left: unknown, right: unknown): boolean {
  switch (op) {
    case '==':
      return looseEquals(left, right);
    case '!=':
      return !looseEquals(left, right);
    case '<':
      return order(left, right) < 0;
    case '<=':
      return order(left, right) <= 0;
    case '>':
      return order(left, right) > 0;
    case '>=':
      return order(left, right) >= 0;
  }
}
