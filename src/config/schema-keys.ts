/** Looks up which keys the schema allows at a path, for "did you mean" hints on unknown keys. */
import type { z } from 'zod';
import type { ConfigPath } from './diagnostic.js';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
}

function def(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

// Wrappers that do not change the shape of the data.
function unwrap(schema: z.ZodType): z.ZodType[] {
  const d = def(schema);
  switch (d.type) {
    case 'optional':
    case 'default':
    case 'nullable':
    case 'prefault':
    case 'readonly':
      return unwrap(d.innerType!);
    case 'pipe':
      return unwrap(d.in!);
    case 'union':
      return d.options!.flatMap(unwrap);
    default:
      return [schema];
  }
}

/** The keys an object schema at `path` declares (union members merged). */
export function keysAt(root: z.ZodType, path: ConfigPath): string[] {
  let current = unwrap(root);
  for (const segment of path) {
    const next: z.ZodType[] = [];
    for (const schema of current) {
      const d = def(schema);
      if (d.type === 'object' && typeof segment === 'string' && d.shape?.[segment])
        next.push(d.shape[segment]);
      else if (d.type === 'array' && typeof segment === 'number') next.push(d.element!);
      else if (d.type === 'record') next.push(d.valueType!);
    }
    current = next.flatMap(unwrap);
  }
  return [...new Set(current.flatMap((s) => Object.keys(def(s).shape ?? {})))];
}
