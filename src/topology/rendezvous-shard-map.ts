/**
 * Rendezvous (highest random weight) hashing.
 *
 * @module
 */
import { mixHashesFinish, mixHashesStart, murmur3_32 } from '../core/hash.js';
import { hashShardKey, type ShardKeyValue } from './shard-key.js';
import type { ShardMap } from './shard-map.js';

/**
 * Rendezvous hashing (Thaler & Ravishankar): every shard scores every key with
 * `mixHashes(hashShardKey(key), murmur3_32(name))` and the highest score wins (a tie,
 * about one key in 2^32, goes to the smaller name). Scores depend only on the key and the shard
 * NAME, so adding any shard moves about 1/(n+1) of the keys, all to it, and removing one moves
 * only that shard's keys; list order does not matter.
 *
 * O(n) per key (one hash plus n cheap mixes): meant for the tens of shards a cluster has.
 *
 * @example
 * ```ts
 * const map = new RendezvousShardMap(['a', 'b', 'c']);
 * map.shardFor('doc-1'); // 0, 1 or 2
 * ```
 */
export class RendezvousShardMap implements ShardMap {
  /** Always `'rendezvous'`. */
  readonly strategy = 'rendezvous' as const;
  /** Shard names in index order. */
  readonly shardNames: readonly string[];
  /** Number of shards. */
  readonly shardCount: number;
  readonly #nameHashes: Uint32Array;

  /**
   * @param shardNames - Unique shard names, at least one (checked by `createShardMap`).
   */
  constructor(shardNames: readonly string[]) {
    this.shardNames = Object.freeze([...shardNames]);
    this.shardCount = shardNames.length;
    this.#nameHashes = Uint32Array.from(shardNames, (name) => murmur3_32(name));
    Object.freeze(this);
  }

  /** The owner of `key`: the shard with the highest score. */
  shardFor(key: ShardKeyValue): number {
    const state = mixHashesStart(hashShardKey(key)); // shared by every shard's score
    const hashes = this.#nameHashes;
    const names = this.shardNames;
    let best = 0;
    let bestScore = -1;
    for (let i = 0; i < hashes.length; i++) {
      const score = mixHashesFinish(state, hashes[i] as number);
      if (
        score > bestScore ||
        (score === bestScore && (names[i] as string) < (names[best] as string))
      ) {
        best = i;
        bestScore = score;
      }
    }
    return best;
  }

  /** Always `undefined`: rendezvous hashing scatters every key range over every shard. */
  shardsForRange(): undefined {
    return undefined;
  }
}
