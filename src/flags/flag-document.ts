/**
 * flagd's flag definition format (https://flagd.dev/reference/flag-definitions/): the document
 * Slipway keeps, versions and serves. JSON values only, so a document round-trips through JSON.
 */

/** A JSON value as flag variants and targeting rules hold them. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One flag: its variants, the one served by default, and JsonLogic targeting that picks another. */
export interface FlagDefinition {
  readonly state: 'ENABLED' | 'DISABLED';
  readonly variants: Readonly<Record<string, JsonValue>>;
  /** Absent or null: no default, the application's code default applies. */
  readonly defaultVariant?: string | null;
  /** A JsonLogic rule returning a variant name (null or absent: the default variant). */
  readonly targeting?: { readonly [key: string]: JsonValue };
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
}

/** A flag set: flags by key, shared `$evaluators` that targeting `$ref`s, and set metadata. */
export interface FlagDocument {
  readonly flags: Readonly<Record<string, FlagDefinition>>;
  readonly $evaluators?: { readonly [name: string]: JsonValue };
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
}

/** An empty flag set. */
export const EMPTY_FLAG_DOCUMENT: FlagDocument = { flags: {} };

/** The JSON type of a variant value, as OpenFeature names flag types. */
export function variantType(value: JsonValue): 'boolean' | 'string' | 'number' | 'object' {
  if (typeof value === 'boolean' || typeof value === 'string' || typeof value === 'number')
    return typeof value as 'boolean' | 'string' | 'number';
  return 'object';
}
