/**
 * A small seeded pseudo-random generator, so that tests and fault injection are repeatable: the
 * same seed gives the same sequence on every machine and every run.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../core/errors.js';

/** Returns numbers uniformly distributed in `[0, 1)`, like `Math.random`. */
export type RandomSource = () => number;

/**
 * Creates a seeded generator (mulberry32: 32 bits of state, period 2^32, fast, and good enough
 * for test scenarios and load balancing; not for cryptography).
 *
 * Every call of the returned function advances the sequence by one. Two generators made with
 * the same seed return the same sequence.
 *
 * @param seed - Any finite number (default 1); its integer part modulo 2^32 is the state.
 * @returns The generator.
 * @throws `InvalidArgumentError` when `seed` is not a finite number.
 *
 * @example
 * ```ts
 * const a = seededRandom(42);
 * const b = seededRandom(42);
 * a() === b(); // true, and so on for every later call
 * const roll = Math.floor(a() * 6) + 1; // a die
 * ```
 */
export function seededRandom(seed = 1): RandomSource {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new InvalidArgumentError(
      `\`seed\` must be a finite number, received ${describeValue(seed)}`,
    );
  }
  let state = Math.trunc(seed) >>> 0;
  return () => {
    // mulberry32 (Tommy Ettinger): a Weyl sequence step, then an xorshift-multiply mix.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
