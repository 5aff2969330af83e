// JSON columns of the store: encoded once on the way in, decoded once on the way out, the same on both backends.
import { StoreError } from './errors.js';

/** Serializes a value for a JSON column; throws INVALID_INPUT for values JSON cannot hold. */
export function encodeJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value ?? null);
  } catch (error) {
    throw new StoreError('INVALID_INPUT', `${what} is not JSON-serializable`, { cause: error });
  }
  if (text === undefined) throw new StoreError('INVALID_INPUT', `${what} is not JSON-serializable`);
  return text;
}

/** Parses a JSON column; both backends hand JSON back as text (see postgres-dialect.ts). */
export function decodeJson(text: string): unknown {
  return JSON.parse(text);
}

/** Parses a JSON column that always holds an object, such as `data` or `outputs`. */
export function decodeObject(text: string): Readonly<Record<string, unknown>> {
  return decodeJson(text) as Readonly<Record<string, unknown>>;
}
