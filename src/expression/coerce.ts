// Moves values between plain JavaScript and GitHub's expression data, and applies its truthiness and text rules.
import { data } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';

/** Converts plain data (JSON-like, read-only) into expression data; undefined reads as null. */
export function toData(value: unknown): data.ExpressionData {
  if (value === null || value === undefined) return new data.Null();
  if (typeof value === 'string') return new data.StringData(value);
  if (typeof value === 'number') return new data.NumberData(value);
  if (typeof value === 'boolean') return new data.BooleanData(value);
  if (Array.isArray(value)) return new data.Array(...value.map(toData));
  if (typeof value === 'object') {
    const pairs = Object.entries(value).map(([key, item]) => ({ key, value: toData(item) }));
    return new data.Dictionary(...pairs);
  }
  return new data.StringData(String(value));
}

/** Converts expression data back into plain data: objects, arrays, strings, numbers, booleans and null. */
export function fromData(value: data.ExpressionData): unknown {
  switch (value.kind) {
    case data.Kind.Null:
      return null;
    case data.Kind.Boolean:
      return value.value;
    case data.Kind.Number:
      return value.number();
    case data.Kind.String:
      return value.coerceString();
    case data.Kind.Array:
      return value.values().map(fromData);
    default:
      // fromEntries defines own properties, so a `__proto__` key cannot replace the prototype.
      return Object.fromEntries(
        (value as data.Dictionary).pairs().map((pair) => [pair.key, fromData(pair.value)]),
      );
  }
}

/** Truthiness of Actions: false, 0, -0, NaN, '' and null are falsy; every object and array is truthy. */
export function isTruthy(value: unknown): boolean {
  return truthy(toData(value));
}

/** Truthiness of an expression result. */
export function isTruthyData(value: data.ExpressionData): boolean {
  return truthy(value);
}

/** Text of a value in `${{ }}` interpolation: Actions' string form, and compact JSON for objects and arrays. */
export function dataToText(value: data.ExpressionData): string {
  if (value.primitive) return value.coerceString();
  return JSON.stringify(value, data.replacer);
}
