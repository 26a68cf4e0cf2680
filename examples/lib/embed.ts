/**
 * A deterministic stand-in for an embedding model, shared by the examples: documents of one
 * topic point the same way, with seeded noise so that every run prints the same thing.
 */

/** The topics the examples' documents are about. */
export const TOPICS = ['databases', 'networking', 'compilers', 'security'] as const;

/** A `dimension`-long vector for a document of `topic` (an index into TOPICS), seeded by `seed`. */
export function embed(topic: number, seed: number, dimension = 64): number[] {
  // mulberry32, seeded per document.
  let state = (seed * 2654435761) >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from(
    { length: dimension },
    (_, d) => (d % TOPICS.length === topic ? 1 : 0) + (random() - 0.5),
  );
}
