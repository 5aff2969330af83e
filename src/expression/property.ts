// Safe property and index reads: own properties only, so `__proto__` or `constructor` read as null.

/** Reads `name` from a plain object (exact key first, then ignoring case, as Actions does); null otherwise. */
export function readProperty(target: unknown, name: string): unknown {
  if (typeof target !== 'object' || target === null || Array.isArray(target)) return null;
  if (Object.hasOwn(target, name)) return ownValue(target, name);
  const wanted = name.toLowerCase();
  const key = Object.keys(target).find((candidate) => candidate.toLowerCase() === wanted);
  return key === undefined ? null : ownValue(target, key);
}

/** Reads `target[index]`: an array element by integer position, or an object property by name. */
export function readIndex(target: unknown, index: unknown): unknown {
  if (Array.isArray(target)) {
    const position = typeof index === 'string' && index.trim() !== '' ? Number(index) : index;
    if (typeof position !== 'number' || !Number.isInteger(position) || position < 0) return null;
    return position < target.length ? (target[position] ?? null) : null;
  }
  if (typeof index === 'string' || typeof index === 'number') return readProperty(target, String(index));
  return null;
}

function ownValue(target: object, key: string): unknown {
  return (target as Record<string, unknown>)[key] ?? null;
}
