/**
 * The shard map contract: key -> shard index, and the shards a key range can touch.
 *
 * @module
 */
import { InvalidTopologyError, describeValue } from '../core/errors.js';
import { ConsistentHashShardMap } from './consistent-hash-shard-map.js';
import { HashShardMap } from './hash-shard-map.js';
import { JumpShardMap } from './jump-shard-map.js';
import { RangeShardMap } from './range-shard-map.js';
import { RendezvousShardMap } from './rendezvous-shard-map.js';
import type { ShardKeyValue } from './shard-key.js';
import type { ResolvedShardingOptions, ShardingStrategy } from './sharding-options.js';

/**
 * A span of shard key values, as a range filter on the key describes it. A missing bound is
 * open; bounds are inclusive unless told otherwise.
 */
export interface KeyRange {
  /** Lowest key value in the range; `undefined` means no lower bound. */
  readonly low?: ShardKeyValue | undefined;
  /** Highest key value in the range; `undefined` means no upper bound. */
  readonly high?: ShardKeyValue | undefined;
  /**
   * Whether `low` itself is in the range.
   * @default true
   */
  readonly lowInclusive?: boolean | undefined;
  /**
   * Whether `high` itself is in the range.
   * @default true
   */
  readonly highInclusive?: boolean | undefined;
}

/**
 * Maps shard key values to the shards of one cluster. Immutable and deterministic: the same
 * options and shard names give the same map in every process.
 */
export interface ShardMap {
  /** The algorithm. */
  readonly strategy: ShardingStrategy;
  /** Shard names, in shard index order. */
  readonly shardNames: readonly string[];
  /** Number of shards (`shardNames.length`). */
  readonly shardCount: number;
  /**
   * The one type of key the map accepts, for maps that order keys (range maps: the type of
   * the boundaries); `undefined` when strings and numbers are both fine.
   */
  readonly keyType?: 'number' | 'string' | undefined;
  /**
   * The index (into `shardNames`) of the shard that owns `key`. O(log n) or better, except
   * rendezvous, which is O(n).
   *
   * @throws {@link InvalidArgumentError} on a range map, for a key of the other type than the
   * boundaries or a non-finite number.
   */
  shardFor(key: ShardKeyValue): number;
  /**
   * Shards that can hold a key in `range`, ascending. `undefined` means "every shard": maps that
   * scatter keys by hash cannot narrow a range.
   *
   * @throws {@link InvalidArgumentError} on a range map, for a bound of the other type than the
   * boundaries or `NaN`.
   */
  shardsForRange(range: KeyRange): readonly number[] | undefined;
}

/**
 * Builds the shard map for one cluster.
 *
 * @param options - Resolved sharding options (see `resolveShardingOptions`).
 * @param shardNames - The cluster's shard names in index order: unique, at least one.
 * @returns An immutable shard map.
 * @throws {@link InvalidTopologyError} when `shardNames` is empty, holds a non-string or a
 * duplicate, or (range strategy) does not number exactly one more than the boundaries.
 * @example
 * ```ts
 * const map = createShardMap(resolveShardingOptions({ strategy: 'jump' }), ['s0', 's1']);
 * const owner = map.shardNames[map.shardFor('doc-1')];
 * ```
 */
export function createShardMap(
  options: ResolvedShardingOptions,
  shardNames: readonly string[],
): ShardMap {
  if (!Array.isArray(shardNames) || shardNames.length === 0) {
    throw new InvalidTopologyError(
      `\`shardNames\` must be a non-empty array, received ${describeValue(shardNames)}`,
    );
  }
  const seen = new Set<string>();
  for (const [i, name] of shardNames.entries()) {
    if (typeof name !== 'string' || seen.has(name)) {
      throw new InvalidTopologyError(
        `\`shardNames[${i}]\` must be a string distinct from the others, received ${describeValue(name)}`,
      );
    }
    seen.add(name);
  }
  switch (options.strategy) {
    case 'hash':
      return new HashShardMap(shardNames);
    case 'consistent-hash':
      return new ConsistentHashShardMap(shardNames, options.virtualNodes);
    case 'jump':
      return new JumpShardMap(shardNames);
    case 'rendezvous':
      return new RendezvousShardMap(shardNames);
    case 'range':
      if (options.boundaries.length !== shardNames.length - 1) {
        throw new InvalidTopologyError(
          `range sharding with ${options.boundaries.length} \`sharding.boundaries\` needs ${options.boundaries.length + 1} shards, received ${shardNames.length}`,
        );
      }
      return new RangeShardMap(shardNames, options.boundaries);
  }
}
