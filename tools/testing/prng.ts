// A small seeded pseudo-random generator for the chaos runner: the same seed gives the same
// sequence of faults, targets and timings on every machine, so a failing run can be replayed with
// `npm run chaos -- --seed N`. Not cryptographic; not for anything but test schedules.
// Algorithm: SplitMix32-seeded Mulberry32 (32-bit state, full period, fast in plain JS numbers).

export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    // Mix the seed once so nearby seeds (1, 2, 3) do not start with correlated outputs.
    let z = (seed | 0) + 0x9e3779b9;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    this.state = (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element, uniformly. Throws on an empty list (a programming error in the caller). */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('SeededRandom.pick: empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** One element, by weight (weights >= 0, not all 0). */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    if (!(total > 0)) throw new Error('SeededRandom.weighted: weights must add up to more than 0');
    let roll = this.next() * total;
    for (const [item, weight] of items) {
      roll -= weight;
      if (roll < 0) return item;
    }
    return items[items.length - 1]![0];
  }
}
