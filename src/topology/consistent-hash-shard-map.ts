/**
 * Consistent hashing on a ring of virtual nodes.
 *
 * @module
 */
import { InvalidTopologyError } from '../core/errors.js';
import { murmur3_32 } from '../core/hash.js';
import { hashShardKey, type ShardKeyValue } from './shard-key.js';
import type { ShardMap } from './shard-map.js';

// Ring entries are sorted as one float64 each: hash * 2^21 + the owner's rank by name. That
// stays exact (32 + 21 bits <= 53), sorts with the native numeric sort, and breaks hash ties by
// shard name, so the ring does not depend on the order shards are listed in.
const RANK_RANGE = 2 ** 21;

/**
 * Consistent hashing (Karger et al.): every shard puts `virtualNodes` points on a 32-bit ring at
 * `murmur3_32(`${name}#${v}`)`, and a key belongs to the first point at or after
 * `hashShardKey(key)`, wrapping around. Points depend only on shard NAMES, so adding a
 * shard moves about 1/(n+1) of the keys, all of them to the new shard, and reordering the list
 * changes nothing.
 *
 * The ring is a sorted `Uint32Array` with a parallel owner array; a lookup is one hash and one
 * binary search, O(log(n * virtualNodes)). Each shard's share of the ring has a relative spread
 * of about 1/sqrt(virtualNodes) (8% at the default 160).
 *
 * @example
 * ```ts
 * const map = new ConsistentHashShardMap(['s0', 's1', 's2'], 160);
 * map.shardFor('doc-1'); // 0, 1 or 2
 * ```
 */
export class ConsistentHashShardMap implements ShardMap {
  /** Always `'consistent-hash'`. */
  readonly strategy = 'consistent-hash' as const;
  /** Shard names in index order. */
  readonly shardNames: readonly string[];
  /** Number of shards. */
  readonly shardCount: number;
  /** Ring points per shard. */
  readonly virtualNodes: number;
  readonly #ring: Uint32Array;
  readonly #owners: Uint32Array;

  /**
   * @param shardNames - Unique shard names, at least one (checked by `createShardMap`).
   * @param virtualNodes - Ring points per shard, an integer >= 1.
   * @throws {@link InvalidTopologyError} when there are 2^21 shards or more.
   */
  constructor(shardNames: readonly string[], virtualNodes: number) {
    const n = shardNames.length;
    if (n >= RANK_RANGE) {
      throw new InvalidTopologyError(
        `consistent hashing supports fewer than ${RANK_RANGE} shards, received ${n}`,
      );
    }
    this.shardNames = Object.freeze([...shardNames]);
    this.shardCount = n;
    this.virtualNodes = virtualNodes;

    // Shards in name order; an entry stores this rank, the owner array maps it back.
    const byName = shardNames
      .map((name, index) => ({ name, index }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const entries = new Float64Array(n * virtualNodes);
    let e = 0;
    for (const [rank, { name }] of byName.entries()) {
      for (let v = 0; v < virtualNodes; v++) {
        entries[e++] = murmur3_32(`${name}#${v}`) * RANK_RANGE + rank;
      }
    }
    entries.sort();
    this.#ring = new Uint32Array(entries.length);
    this.#owners = new Uint32Array(entries.length);
    for (const [i, entry] of entries.entries()) {
      const rank = entry % RANK_RANGE;
      this.#ring[i] = (entry - rank) / RANK_RANGE;
      this.#owners[i] = byName[rank]?.index ?? 0;
    }
    Object.freeze(this);
  }

  /** Number of points on the ring (`shardCount * virtualNodes`). */
  get ringSize(): number {
    return this.#ring.length;
  }

  /** The owner of `key`: one hash and one binary search over the ring. */
  shardFor(key: ShardKeyValue): number {
    const h = hashShardKey(key);
    const ring = this.#ring;
    // Lower bound: first point >= h.
    let lo = 0;
    let hi = ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ring[mid] as number) < h) lo = mid + 1;
      else hi = mid;
    }
    return this.#owners[lo === ring.length ? 0 : lo] as number;
  }

  /** Always `undefined`: a hash ring scatters every key range over every shard. */
  shardsForRange(): undefined {
    return undefined;
  }
}
