/**
 * Shard pruning: which shards a filter can match points on, judged from the shard key alone.
 *
 * @module
 */
import type { FilterNode, FilterScalar } from '../core/filter-ast.js';
import type { ShardMap } from './shard-map.js';
import type { ResolvedShardKey } from './sharding-options.js';

// `undefined` stands for "every shard" while the tree is walked; sets are sorted, distinct.
type ShardSet = readonly number[] | undefined;

const NONE: readonly number[] = Object.freeze([]);
const everyShardCache = new WeakMap<ShardMap, readonly number[]>();

function everyShard(map: ShardMap): readonly number[] {
  let all = everyShardCache.get(map);
  if (all === undefined) {
    all = Object.freeze(Array.from({ length: map.shardCount }, (_, i) => i));
    everyShardCache.set(map, all);
  }
  return all;
}

/**
 * Whether a point can hold `value` in its key field. Writes go through `shardKeyOf` and
 * `shardFor`, so a stored key is a string or a finite number, and on a map with a `keyType` it
 * has that type; any other value names no stored point.
 */
function isStorableKey(map: ShardMap, value: FilterScalar): value is string | number {
  if (typeof value === 'string') return map.keyType !== 'number';
  if (typeof value === 'number') return Number.isFinite(value) && map.keyType !== 'string';
  return false;
}

/** The shard of a key equal to `value`, or none when no stored key can equal it. */
function shardsForEqual(map: ShardMap, value: FilterScalar): readonly number[] {
  return isStorableKey(map, value) ? [map.shardFor(value)] : NONE;
}

function shardsForCompare(
  map: ShardMap,
  op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte',
  value: FilterScalar,
): ShardSet {
  switch (op) {
    case 'eq':
      return shardsForEqual(map, value);
    case 'ne':
      return undefined; // NOT eq: also matches other values on every shard
    default: {
      // Only ordered (range) maps can narrow a span; ask them only with a bound they accept.
      if (map.keyType === undefined) return undefined;
      // A range compare matches only keys of the operand's type (see filter-ast.ts); stored keys
      // all have the map's type, so an operand of another type (or NaN) matches nothing.
      if (typeof value !== map.keyType || Number.isNaN(value)) return NONE;
      const bound = value as string | number;
      return op === 'gt' || op === 'gte'
        ? map.shardsForRange({ low: bound, lowInclusive: op === 'gte' })
        : map.shardsForRange({ high: bound, highInclusive: op === 'lte' });
    }
  }
}

function intersect(a: ShardSet, b: ShardSet): ShardSet {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const inB = new Set(b);
  return a.filter((i) => inB.has(i));
}

function union(a: ShardSet, b: ShardSet): ShardSet {
  if (a === undefined || b === undefined) return undefined;
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

function shardsOf(map: ShardMap, field: string, node: FilterNode): ShardSet {
  switch (node.kind) {
    case 'and': {
      let acc: ShardSet = undefined;
      for (const child of node.children) {
        acc = intersect(acc, shardsOf(map, field, child));
        if (acc?.length === 0) return NONE;
      }
      return acc;
    }
    case 'or': {
      // An empty OR is treated as "anything" to stay conservative whatever the parser meant.
      if (node.children.length === 0) return undefined;
      let acc: ShardSet = NONE;
      for (const child of node.children) {
        acc = union(acc, shardsOf(map, field, child));
        if (acc === undefined) return undefined;
      }
      return acc;
    }
    case 'compare':
      return node.field === field ? shardsForCompare(map, node.op, node.value) : undefined;
    case 'in': {
      if (node.field !== field || node.negated) return undefined;
      let acc: ShardSet = NONE;
      for (const value of node.values) acc = union(acc, shardsForEqual(map, value));
      return acc;
    }
    default:
      // `not` and `exists` cannot be narrowed by the key without knowing every stored key.
      return undefined;
  }
}

/**
 * The shards a search, count or scan with `filter` must visit: those where a matching point
 * can live, judged from the shard key. Sorted ascending, no duplicates; may be EMPTY when the
 * filter can match no stored point (then no shard needs to be asked).
 *
 * Rules:
 * - no filter, or the key is `'id'` (filters cannot address ids): every shard;
 * - `eq` on the key field, or `in` (not `$nin`): the shards of those values;
 * - on a range map, `gt`/`gte`/`lt`/`lte` on the key field: the shards the span touches;
 * - `and` intersects its children's shards, `or` unites them;
 * - `not`, `ne`, `$nin`, `exists`, and conditions on other fields: every shard.
 *
 * Values that no stored key can have never throw: they name no shard. Stored keys are strings or
 * finite numbers (`shardKeyOf` rejects the rest) and, on a range map, of the boundaries' type
 * (`shardFor` rejects the other), and by the filter semantics `eq`, `in` and range compares
 * match only a value of the operand's own type. So `{ key: true }`, `{ key: null }`, or
 * `{ key: { $gt: 5 } }` on string boundaries select no shard from that condition.
 *
 * @param map - The cluster's shard map.
 * @param key - The resolved shard key.
 * @param filter - The validated filter, or `undefined`.
 * @returns Shard indexes into `map.shardNames`.
 * @example
 * ```ts
 * // sharding: { strategy: 'range', key: { field: 'year' }, boundaries: [2020, 2024] }
 * candidateShards(map, { field: 'year' }, { kind: 'compare', field: 'year', op: 'gte', value: 2024 });
 * // [2]
 * ```
 */
export function candidateShards(
  map: ShardMap,
  key: ResolvedShardKey,
  filter: FilterNode | undefined,
): readonly number[] {
  if (filter === undefined || key === 'id') return everyShard(map);
  return shardsOf(map, key.field, filter) ?? everyShard(map);
}
