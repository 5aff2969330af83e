// The random numbers of bench:metrics' history: a seeded PRNG (mulberry32), so a seed always
// gives the same history, and the few distributions the history draws from.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Uniform and derived draws from one seeded sequence. */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [low, high). */
  between(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** An integer in [low, high]. */
  int(low: number, high: number): number {
    return Math.floor(this.between(low, high + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }

  /** Log-normal around `median` with spread `sigma` (Box-Muller). */
  logNormal(median: number, sigma: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }

  /** How many of something happening `rate` times on average happen (Knuth). */
  poisson(rate: number): number {
    const limit = Math.exp(-rate);
    let k = 0;
    for (let p = this.next(); p > limit; p *= this.next()) k++;
    return k;
  }

  /** `length` lowercase hex digits: a commit SHA, a revision id. */
  hex(length: number): string {
    let text = '';
    while (text.length < length) text += ((this.next() * 0x100000000) >>> 0).toString(16).padStart(8, '0');
    return text.slice(0, length);
  }

  /** A time of the day starting at `day`, mostly in working hours (UTC). */
  workTime(day: number): number {
    return day + (this.chance(0.85) ? this.between(8 * HOUR, 19 * HOUR) : this.between(0, DAY));
  }
}
