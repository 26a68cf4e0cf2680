/**
 * Modulo hashing: `murmur3_32(key) mod n`.
 *
 * @module
 */
import { hashShardKey, type ShardKeyValue } from './shard-key.js';
import type { ShardMap } from './shard-map.js';

/**
 * The plainest shard map: MurmurHash3 of the key's {@link keyString} modulo the shard count.
 * Perfectly even and O(1), but changing the shard count moves almost every key (about
 * n/(n+1) of them when one shard is added), so prefer `consistent-hash`, `jump` or `rendezvous`
 * when the cluster will grow.
 *
 * @example
 * ```ts
 * const map = new HashShardMap(['s0', 's1', 's2']);
 * map.shardFor('doc-1'); // 0, 1 or 2, the same everywhere
 * ```
 */
export class HashShardMap implements ShardMap {
  /** Always `'hash'`. */
  readonly strategy = 'hash' as const;
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

  /** The owner of `key`: O(length of the key). */
  shardFor(key: ShardKeyValue): number {
    return hashShardKey(key) % this.shardCount;
  }

  /** Always `undefined`: a hash scatters every range over every shard. */
  shardsForRange(): undefined {
    return undefined;
  }
}
