/** A source of uniformly distributed numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * A small, fast, seeded generator (mulberry32): the same seed gives the same market, which makes
 * the feed reproducible and its tests exact.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random(); // always the same first number for seed 42
 * ```
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A standard normal deviate (Box–Muller) drawn from `random`.
 *
 * @example
 * ```ts
 * const shock = 0.01 * gaussian(seededRandom(1));
 * ```
 */
export function gaussian(random: RandomSource): number {
  // 1 - u keeps the logarithm finite: u is in [0, 1).
  const radius = Math.sqrt(-2 * Math.log(1 - random()));
  return radius * Math.cos(2 * Math.PI * random());
}
