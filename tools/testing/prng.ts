// The one seeded pseudo-random generator of the tests and tools (the chaos runner, the benchmark,
// the simulation, the codec fuzzers): the same seed gives the same sequence on every machine, so a
// failing run replays from its seed. Not cryptographic; not for anything but test schedules.
// Algorithm: Mulberry32 (32-bit state, full period, fast in plain JS numbers). Three seedings, each
// kept because recorded seeds depend on it: the constructor mixes the seed with SplitMix32 (chaos
// runner, benchmark); forSimulation() is the simulation's (seed xor the golden ratio, four draws
// discarded); fromState() starts from the seed as is (the codec fuzzers).

export class SeededRandom {
  private state: number;

  constructor(
    readonly seed: number,
    initialState?: number,
  ) {
    if (initialState !== undefined) {
      this.state = initialState >>> 0;
      return;
    }
    // Mix the seed once so nearby seeds (1, 2, 3) do not start with correlated outputs.
    let z = (seed | 0) + 0x9e3779b9;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    this.state = (z ^ (z >>> 16)) >>> 0;
  }

  /** The simulation's seeding: seed xor 0x9e3779b9, then four draws discarded. */
  static forSimulation(seed: number): SeededRandom {
    const random = new SeededRandom(seed, (seed ^ 0x9e3779b9) >>> 0);
    for (let i = 0; i < 4; i++) random.nextUint32();
    return random;
  }

  /** The seed used as the state itself (the codec fuzzers' recorded seeds). */
  static fromState(seed: number): SeededRandom {
    return new SeededRandom(seed, seed >>> 0);
  }

  /** Uniform in [0, 2^32). */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, bound). */
  below(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** `length` random bytes. */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.nextUint32() & 0xff;
    return out;
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
