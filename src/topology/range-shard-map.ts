/**
 * Range sharding over sorted boundaries.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../core/errors.js';
import type { ShardKeyValue } from './shard-key.js';
import type { KeyRange, ShardMap } from './shard-map.js';

/**
 * Range sharding: `boundaries` (strictly increasing, all numbers or all strings, one fewer than
 * the shards) split the key space, and shard `i` holds keys in `[boundaries[i-1], boundaries[i])`
 * (shard 0 everything below `boundaries[0]`, the last shard everything from the last boundary
 * up). Strings compare by UTF-16 code units, as filters do.
 *
 * Keys keep their order, so a range filter on the key reaches only the shards it spans; the
 * price is that the split is only as even as the boundaries are chosen to make it.
 *
 * @example
 * ```ts
 * const map = new RangeShardMap(['old', 'mid', 'new'], [2020, 2024]);
 * map.shardFor(2019); // 0
 * map.shardFor(2020); // 1
 * map.shardsForRange({ low: 2021 }); // [1, 2]
 * ```
 */
export class RangeShardMap implements ShardMap {
  /** Always `'range'`. */
  readonly strategy = 'range' as const;
  /** Shard names in index order. */
  readonly shardNames: readonly string[];
  /** Number of shards. */
  readonly shardCount: number;
  /** The split points, strictly increasing. */
  readonly boundaries: readonly number[] | readonly string[];
  /** The type every key must have: the type of the boundaries. */
  readonly keyType: 'number' | 'string';

  /**
   * @param shardNames - Unique shard names (checked by `createShardMap`).
   * @param boundaries - Validated boundaries, exactly `shardNames.length - 1` of them (checked
   * by `createShardMap`).
   */
  constructor(shardNames: readonly string[], boundaries: readonly number[] | readonly string[]) {
    this.shardNames = Object.freeze([...shardNames]);
    this.shardCount = shardNames.length;
    this.boundaries = Object.freeze([...boundaries]) as readonly number[] | readonly string[];
    this.keyType = typeof boundaries[0] === 'string' ? 'string' : 'number';
    Object.freeze(this);
  }

  /**
   * The owner of `key`: a binary search over the boundaries.
   *
   * @throws {@link InvalidArgumentError} when `key` is not of the boundaries' type, or is a
   * non-finite number.
   */
  shardFor(key: ShardKeyValue): number {
    if (typeof key !== this.keyType || (typeof key === 'number' && !Number.isFinite(key))) {
      throw new InvalidArgumentError(
        `a range shard map with ${this.keyType} boundaries needs a ${this.keyType === 'number' ? 'finite number' : 'string'} shard key, received ${describeValue(key)}`,
      );
    }
    return this.#upperBound(key);
  }

  /**
   * The shards a key range spans, ascending; empty when the range is empty (low above high).
   * Bounds may be infinite numbers.
   *
   * @throws {@link InvalidArgumentError} when a bound is not of the boundaries' type, or is
   * `NaN`.
   */
  shardsForRange(range: KeyRange): readonly number[] {
    const { low, high } = range;
    this.#checkBound(low, 'low');
    this.#checkBound(high, 'high');
    const lowInclusive = range.lowInclusive ?? true;
    const highInclusive = range.highInclusive ?? true;
    if (low !== undefined && high !== undefined) {
      if (low > high || (low === high && !(lowInclusive && highInclusive))) return [];
    }
    // The shard holding `low` may hold keys just above it even when `low` is excluded.
    const from = low === undefined ? 0 : this.#upperBound(low);
    let to = high === undefined ? this.shardCount - 1 : this.#upperBound(high);
    // An excluded `high` that is exactly a shard's lower boundary leaves that shard out.
    if (high !== undefined && !highInclusive && to > 0 && this.boundaries[to - 1] === high) to--;
    const shards: number[] = [];
    for (let i = from; i <= to; i++) shards.push(i);
    return shards;
  }

  /** Number of boundaries <= key: the index of the shard holding `key`. */
  #upperBound(key: ShardKeyValue): number {
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((b[mid] as ShardKeyValue) <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #checkBound(bound: ShardKeyValue | undefined, which: string): void {
    if (bound === undefined) return;
    if (typeof bound !== this.keyType || Number.isNaN(bound)) {
      throw new InvalidArgumentError(
        `\`range.${which}\` of a range shard map with ${this.keyType} boundaries must be a ${this.keyType}${this.keyType === 'number' ? ' (not NaN)' : ''}, received ${describeValue(bound)}`,
      );
    }
  }
}
