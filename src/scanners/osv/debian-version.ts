/**
 * Debian's version ordering (Debian Policy 5.6.12, as dpkg's `verrevcmp` implements it), the order of
 * OSV's `Debian` ECOSYSTEM ranges and of `dpkg --compare-versions`.
 */

/** A Debian version split into its three parts. */
export interface DebianVersion {
  readonly epoch: number;
  readonly upstream: string;
  /** `''` when absent, which compares equal to `0`. */
  readonly revision: string;
}

/** `[epoch:]upstream[-revision]` split per policy, or undefined when the string is no Debian version. */
export function parseDebianVersion(version: string): DebianVersion | undefined {
  const text = version.trim();
  if (text === '' || /\s/.test(text)) return undefined;
  const colon = text.indexOf(':');
  let epoch = 0;
  let rest = text;
  if (colon >= 0) {
    const epochText = text.slice(0, colon);
    if (!/^\d+$/.test(epochText)) return undefined;
    epoch = Number(epochText);
    rest = text.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : '';
  // dpkg requires the upstream version to start with a digit (it only warns for old packages, but ours is a
  // comparison, where a leading letter would sort a version before every numbered one).
  if (!/^\d/.test(upstream) || !/^[A-Za-z0-9.+~:-]*$/.test(upstream)) return undefined;
  if (!/^[A-Za-z0-9.+~]*$/.test(revision) || (dash >= 0 && revision === '')) return undefined;
  return { epoch, upstream, revision };
}

const isDigit = (code: number) => code >= 48 && code <= 57;
const isAlpha = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);

// The weight of one non-digit character: `~` first (even before the end of the string), then the end,
// then letters, then every other character.
function order(code: number): number {
  if (Number.isNaN(code) || isDigit(code)) return 0;
  if (isAlpha(code)) return code;
  if (code === 126) return -1;
  return code + 256;
}

// dpkg's verrevcmp: alternate non-digit runs (compared by `order`) and digit runs (compared as numbers).
function compareParts(a: string, b: string): number {
  let i = 0;
  let j = 0;
  const at = (s: string, k: number) => (k < s.length ? s.charCodeAt(k) : Number.NaN);
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(at(a, i))) || (j < b.length && !isDigit(at(b, j)))) {
      const ac = order(at(a, i));
      const bc = order(at(b, j));
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (at(a, i) === 48) i++;
    while (at(b, j) === 48) j++;
    let firstDiff = 0;
    while (isDigit(at(a, i)) && isDigit(at(b, j))) {
      if (firstDiff === 0) firstDiff = at(a, i) - at(b, j);
      i++;
      j++;
    }
    if (isDigit(at(a, i))) return 1;
    if (isDigit(at(b, j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/** Negative, zero or positive as `a` sorts before, with or after `b`; undefined when either is no Debian version. */
export function compareDebianVersions(a: string, b: string): number | undefined {
  const left = parseDebianVersion(a);
  const right = parseDebianVersion(b);
  if (left === undefined || right === undefined) return undefined;
  if (left.epoch !== right.epoch) return Math.sign(left.epoch - right.epoch);
  return Math.sign(
    compareParts(left.upstream, right.upstream) || compareParts(left.revision, right.revision),
  );
}
