/**
 * The CVSS v3.0/v3.1 base score of a vector string (FIRST's CVSS v3.1 specification, section 7.1), so an
 * advisory that carries only a vector still gets a severity.
 */

const WEIGHTS = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
} as const satisfies Record<string, Record<string, number>>;

// Privileges Required weighs more when the scope changes.
const PRIVILEGES: Readonly<Record<'U' | 'C', Readonly<Record<string, number>>>> = {
  U: { N: 0.85, L: 0.62, H: 0.27 },
  C: { N: 0.85, L: 0.68, H: 0.5 },
};

// The specification's Roundup: the smallest one-decimal number at least `value`, free of float error.
function roundUp(value: number): number {
  const scaled = Math.round(value * 100000);
  return scaled % 10000 === 0 ? scaled / 100000 : (Math.floor(scaled / 10000) + 1) / 10;
}

/** The base score (0.0-10.0) of a `CVSS:3.0/...` or `CVSS:3.1/...` vector, or undefined when it is not one. */
export function cvssV3BaseScore(vector: string): number | undefined {
  const [prefix, ...parts] = vector.trim().split('/');
  if (prefix !== 'CVSS:3.0' && prefix !== 'CVSS:3.1') return undefined;
  const metrics = new Map<string, string>();
  for (const part of parts) {
    const [key, value, extra] = part.split(':');
    if (key === undefined || value === undefined || extra !== undefined || metrics.has(key)) return undefined;
    metrics.set(key, value);
  }
  const weight = (metric: keyof typeof WEIGHTS): number | undefined =>
    (WEIGHTS[metric] as Readonly<Record<string, number>>)[metrics.get(metric) ?? ''];
  const scope = metrics.get('S');
  if (scope !== 'U' && scope !== 'C') return undefined;
  const [av, ac, ui, c, i, a] = (['AV', 'AC', 'UI', 'C', 'I', 'A'] as const).map(weight);
  const pr = PRIVILEGES[scope][metrics.get('PR') ?? ''];
  if (av === undefined || ac === undefined || ui === undefined || pr === undefined) return undefined;
  if (c === undefined || i === undefined || a === undefined) return undefined;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  const exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0;
  return scope === 'U'
    ? roundUp(Math.min(impact + exploitability, 10))
    : roundUp(Math.min(1.08 * (impact + exploitability), 10));
}
