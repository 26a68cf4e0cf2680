/**
 * Jump consistent hashing, with a 32-bit generator in place of the 64-bit LCG.
 *
 * @module
 */
import { fmix32 } from '../core/hash.js';
import { hashShardKey, type ShardKeyValue } from './shard-key.js';
import type { ShardMap } from './shard-map.js';

const GOLDEN_GAMMA_32 = 0x9e3779b9;
const TWO_POW_32 = 4294967296;

/**
 * The bucket in `[0, buckets)` for a 32-bit key hash, after Lamping & Veach, "A Fast, Minimal
 * Memory, Consistent Hash Algorithm" (2014).
 *
 * The paper draws its random sequence from a 64-bit LCG seeded with the key, which needs 64-bit
 * multiplication (BigInt in JavaScript, ~50x slower). Here the sequence comes from a 32-bit
 * SplitMix-style generator (a golden-ratio counter through the MurmurHash3 finalizer) seeded with
 * the key hash, and each jump is `floor((b + 1) * 2^32 / (r + 1))` for the next uniform `r` in
 * `[0, 2^32)`, computed exactly enough in double precision. The algorithm's guarantees (even
 * spread; growing from n to n+1 buckets moves a key only to bucket n, with probability
 * 1/(n+1)) rest only on the sequence being a fixed function of the key, so they hold unchanged;
 * the bucket numbers differ from the 64-bit reference implementation. Expected O(ln n) steps.
 *
 * @param hash - The key's 32-bit hash.
 * @param buckets - Number of buckets, at least 1.
 * @returns The bucket index.
 * @example
 * ```ts
 * const b = jumpBucket(murmur3_32('doc-1'), 10); // in [0, 10)
 * jumpBucket(murmur3_32('doc-1'), 11); // b, or 10
 * ```
 */
export function jumpBucket(hash: number, buckets: number): number {
  let state = hash | 0;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    state = (state + GOLDEN_GAMMA_32) | 0;
    const r = fmix32(state);
    j = Math.floor(((b + 1) * TWO_POW_32) / (r + 1));
  }
  return b;
}

/**
 * Jump consistent hashing over the shard list: even, no memory, O(log n) per key, and adding a
 * shard at the END of the list moves about 1/(n+1) of the keys, all to the new shard. Shards are
 * identified by position, not name: removing or reordering a shard other than the last remaps
 * many keys (use `rendezvous` or `consistent-hash` when that matters).
 *
 * @example
 * ```ts
 * const map = new JumpShardMap(['s0', 's1', 's2']);
 * map.shardFor(42); // 0, 1 or 2
 * ```
 */
export class JumpShardMap implements ShardMap {
  /** Always `'jump'`. */
  readonly strategy = 'jump' as const;
  /** Shard names in index order. */
  readonly shardNames: readonly string[];
  /** Number of shards. */
  readonly shardCount: number;

  /**
   * @param shardNames - Unique shard names, at least one (checked by `createShardMap`).
   */
  constructor(shardNames: readonly string[]) {
    this.shardNames = Object.freeze([...shardNames]);
    this.shardCount = shardNames.length;
    Object.freeze(this);
  }

  /** The owner of `key`: one hash plus an expected O(ln n) generator steps. */
  shardFor(key: ShardKeyValue): number {
    return jumpBucket(hashShardKey(key), this.shardCount);
  }

  /** Always `undefined`: jump hashing scatters every key range over every shard. */
  shardsForRange(): undefined {
    return undefined;
  }
}
