/**
 * Resharding plans: which keys change owner when a shard map changes.
 *
 * @module
 */
import type { PointId } from '../core/types.js';
import type { ShardKeyValue } from './shard-key.js';
import type { ShardMap } from './shard-map.js';

/** One point that must move from one shard to another. */
export interface ReshardMove {
  /** The point's id. */
  readonly id: PointId;
  /** Its shard key value. */
  readonly key: ShardKeyValue;
  /** Name of the shard that owns it under the old map. */
  readonly fromShard: string;
  /** Name of the shard that owns it under the new map. */
  readonly toShard: string;
}

/** What a change of shard map costs. */
export interface ReshardPlan {
  /** Points whose owner changes, in input order. */
  readonly moves: readonly ReshardMove[];
  /** Points examined. */
  readonly total: number;
  /** Points that move (`moves.length`). */
  readonly moved: number;
  /** `moved / total`, or 0 when there were no points. */
  readonly movedFraction: number;
}

/**
 * Compares two shard maps over a set of keys and lists the points whose owner changes.
 *
 * Owners are compared by shard NAME, not index: a shard that keeps its name keeps its data even
 * if its position in the list changes, and a renamed shard is a different shard.
 *
 * @param from - The map in force.
 * @param to - The map to move to.
 * @param keys - Every point to consider, with its shard key value (see `shardKeyOf`).
 * @returns The moves and their totals, frozen.
 * @throws {@link InvalidArgumentError} when either map rejects a key (range maps reject keys of
 * the wrong type).
 * @example
 * ```ts
 * const plan = planReshard(before.shardMap, after.shardMap, ids.map((id) => ({ id, key: id })));
 * plan.movedFraction; // about 1/(n+1) when one shard is added under consistent hashing
 * ```
 */
export function planReshard(
  from: ShardMap,
  to: ShardMap,
  keys: Iterable<{ readonly id: PointId; readonly key: ShardKeyValue }>,
): ReshardPlan {
  const moves: ReshardMove[] = [];
  let total = 0;
  for (const { id, key } of keys) {
    total++;
    const fromShard = from.shardNames[from.shardFor(key)] as string;
    const toShard = to.shardNames[to.shardFor(key)] as string;
    if (fromShard !== toShard) moves.push(Object.freeze({ id, key, fromShard, toShard }));
  }
  return Object.freeze({
    moves: Object.freeze(moves),
    total,
    moved: moves.length,
    movedFraction: total === 0 ? 0 : moves.length / total,
  });
}
