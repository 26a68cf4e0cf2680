/**
 * How points are spread over the shards of a cluster: the public sharding options and their
 * validation into a frozen, fully filled {@link ResolvedShardingOptions}.
 *
 * @module
 */
import { InvalidTopologyError, describeValue } from '../core/errors.js';
import { FIELD_NAME_PATTERN } from '../core/filter-ast.js';
import { rejectUnknownTopologyKeys, topologyObject } from './checks.js';

/** The shard map algorithms vecmesh offers. */
export type ShardingStrategy = 'hash' | 'consistent-hash' | 'jump' | 'rendezvous' | 'range';

/** Every sharding strategy, in a stable order. */
export const SHARDING_STRATEGIES: readonly ShardingStrategy[] = Object.freeze([
  'hash',
  'consistent-hash',
  'jump',
  'rendezvous',
  'range',
]);

/**
 * What decides a point's shard: its `id`, or a top-level payload field (e.g. a tenant id, so that
 * one tenant's points live on one shard and a filter on it reaches only that shard). The field
 * name must match `FIELD_NAME_PATTERN`, and every point must carry a string or finite number
 * in it.
 *
 * @default 'id'
 */
export type ShardKeyOption = 'id' | FieldShardKey;

/** A payload field used as the shard key. */
export interface FieldShardKey {
  /** Top-level payload field; its value must be a string or a finite number on every point. */
  readonly field: string;
}

/** Options every strategy accepts. */
export interface ShardingBaseOptions {
  /**
   * What is hashed or compared: the point id, or a payload field.
   * @default 'id'
   */
  key?: ShardKeyOption;
}

/** Options of `hash`, `jump` and `rendezvous`, which have no parameters. */
export interface PlainShardingOptions extends ShardingBaseOptions {
  /** The strategy. */
  strategy: 'hash' | 'jump' | 'rendezvous';
}

/** Options of `consistent-hash`. */
export interface ConsistentHashShardingOptions extends ShardingBaseOptions {
  /** The strategy. */
  strategy: 'consistent-hash';
  /**
   * Ring points per shard, an integer in [1, 10000]. More points give a more even split
   * (relative spread about 1/sqrt(virtualNodes)) at the cost of memory and build time.
   * @default 160
   */
  virtualNodes?: number;
}

/** Options of `range`. */
export interface RangeShardingOptions extends ShardingBaseOptions {
  /** The strategy. */
  strategy: 'range';
  /**
   * Strictly increasing split points, all finite numbers or all strings (compared by UTF-16
   * code units); exactly one fewer than the shard count of every cluster (so at least 2 shards).
   */
  boundaries: readonly (number | string)[];
}

/**
 * The sharding strategy and its parameters.
 *
 * - `hash`: MurmurHash3 of the key modulo the shard count. Even, but changing the shard count
 *   moves almost every key.
 * - `consistent-hash`: a ring of `virtualNodes` points per shard; adding a shard moves about
 *   1/(n+1) of the keys, all to the new shard.
 * - `jump`: Lamping & Veach jump consistent hash; even, minimal movement, no memory, but shards
 *   can only be added or removed at the end of the list.
 * - `rendezvous`: highest random weight over shard names; minimal movement for any change, costs
 *   one hash per shard per key (fine for tens of shards).
 * - `range`: sorted `boundaries` split the key space; shard `i` holds keys in
 *   `[boundaries[i-1], boundaries[i])`. Range filters on the key reach only the shards they span.
 *
 * @default { strategy: 'consistent-hash', virtualNodes: 160, key: 'id' }
 * @example
 * ```ts
 * const byTenant: ShardingOptions = { strategy: 'rendezvous', key: { field: 'tenant' } };
 * const byYear: ShardingOptions = { strategy: 'range', key: { field: 'year' }, boundaries: [2020, 2024] };
 * ```
 */
export type ShardingOptions =
  PlainShardingOptions | ConsistentHashShardingOptions | RangeShardingOptions;

/**
 * A validated shard key: `'id'`, or a frozen `{ field }` whose name matches
 * `FIELD_NAME_PATTERN`.
 */
export type ResolvedShardKey = 'id' | Readonly<FieldShardKey>;

/** Resolved options of `hash`, `jump` and `rendezvous`. */
export interface ResolvedPlainSharding {
  /** The strategy. */
  readonly strategy: 'hash' | 'jump' | 'rendezvous';
  /** The shard key. */
  readonly key: ResolvedShardKey;
}

/** Resolved options of `consistent-hash`. */
export interface ResolvedConsistentHashSharding {
  /** The strategy. */
  readonly strategy: 'consistent-hash';
  /** Ring points per shard. */
  readonly virtualNodes: number;
  /** The shard key. */
  readonly key: ResolvedShardKey;
}

/** Resolved options of `range`. */
export interface ResolvedRangeSharding {
  /** The strategy. */
  readonly strategy: 'range';
  /** Split points, all numbers or all strings, strictly increasing. */
  readonly boundaries: readonly number[] | readonly string[];
  /** The shard key. */
  readonly key: ResolvedShardKey;
}

/** Sharding options after validation: frozen, every field filled. */
export type ResolvedShardingOptions =
  ResolvedPlainSharding | ResolvedConsistentHashSharding | ResolvedRangeSharding;

/** Ring points per shard when `virtualNodes` is not given. */
export const DEFAULT_VIRTUAL_NODES = 160;

/** The largest `virtualNodes` accepted. */
export const MAX_VIRTUAL_NODES = 10_000;

const KEYS_BY_STRATEGY: Readonly<Record<ShardingStrategy, readonly string[]>> = {
  hash: ['strategy', 'key'],
  'consistent-hash': ['strategy', 'virtualNodes', 'key'],
  jump: ['strategy', 'key'],
  rendezvous: ['strategy', 'key'],
  range: ['strategy', 'boundaries', 'key'],
};

function isStrategy(value: unknown): value is ShardingStrategy {
  return typeof value === 'string' && (SHARDING_STRATEGIES as readonly string[]).includes(value);
}

/**
 * Validates a shard key option.
 *
 * @param input - `'id'`, `{ field }` or `undefined` (meaning `'id'`).
 * @param path - The option's path, used in error messages.
 * @throws {@link InvalidTopologyError} when the key is neither `'id'` nor `{ field }` with a
 * valid field name.
 */
export function resolveShardKey(input: unknown, path = 'sharding.key'): ResolvedShardKey {
  if (input === undefined || input === 'id') return 'id';
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const obj = input as Record<string, unknown>;
    rejectUnknownTopologyKeys(obj, path, ['field']);
    const field = obj['field'];
    if (typeof field !== 'string' || !FIELD_NAME_PATTERN.test(field)) {
      throw new InvalidTopologyError(
        `\`${path}.field\` must be a field name matching ${String(FIELD_NAME_PATTERN)}, received ${describeValue(field)}`,
      );
    }
    return Object.freeze({ field });
  }
  throw new InvalidTopologyError(
    `\`${path}\` must be 'id' or { field: string }, received ${describeValue(input)}`,
  );
}

function resolveVirtualNodes(value: unknown, path: string): number {
  if (value === undefined) return DEFAULT_VIRTUAL_NODES;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > MAX_VIRTUAL_NODES
  ) {
    throw new InvalidTopologyError(
      `\`${path}\` must be an integer in [1, ${MAX_VIRTUAL_NODES}], received ${describeValue(value)}`,
    );
  }
  return value;
}

function resolveBoundaries(value: unknown, path: string): readonly number[] | readonly string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidTopologyError(
      `\`${path}\` must be a non-empty array of numbers or of strings, received ${describeValue(value)}`,
    );
  }
  const list = value as readonly unknown[];
  const first = list[0];
  const numeric = typeof first === 'number';
  if (!(typeof first === 'string' || (numeric && Number.isFinite(first)))) {
    throw new InvalidTopologyError(
      `\`${path}[0]\` must be a finite number or a string, received ${describeValue(first)}`,
    );
  }
  for (let i = 1; i < list.length; i++) {
    const b = list[i];
    const ok = numeric ? typeof b === 'number' && Number.isFinite(b) : typeof b === 'string';
    if (!ok) {
      const want = numeric ? 'a finite number' : 'a string';
      throw new InvalidTopologyError(
        `\`${path}[${i}]\` must be ${want}, like \`${path}[0]\`, received ${describeValue(b)}`,
      );
    }
    // Strings compare by UTF-16 code units with `<`, the same order filters use.
    if (!((list[i - 1] as number | string) < (b as number | string))) {
      throw new InvalidTopologyError(
        `\`${path}\` must be strictly increasing, but \`${path}[${i}]\` (${describeValue(b)}) is not greater than \`${path}[${i - 1}]\` (${describeValue(list[i - 1])})`,
      );
    }
  }
  return Object.freeze([...(list as readonly (number | string)[])]) as
    readonly number[] | readonly string[];
}

/**
 * Validates sharding options and fills in their defaults.
 *
 * @param input - The caller's `sharding` option, or `undefined` for the default.
 * @param path - The option's path, used in error messages.
 * @default path 'sharding'
 * @returns Frozen options with every field filled.
 * @throws {@link InvalidTopologyError} for an unknown strategy, an unknown key (including a key
 * that belongs to another strategy, like `virtualNodes` with `hash`), a bad `virtualNodes`, bad
 * `boundaries` (empty, mixed types, non-finite, not strictly increasing) or a bad `key`.
 * @example
 * ```ts
 * resolveShardingOptions(undefined);
 * // { strategy: 'consistent-hash', virtualNodes: 160, key: 'id' }
 * resolveShardingOptions({ strategy: 'jump', key: { field: 'tenant' } });
 * // { strategy: 'jump', key: { field: 'tenant' } }
 * ```
 */
export function resolveShardingOptions(input: unknown, path = 'sharding'): ResolvedShardingOptions {
  if (input === undefined) {
    return Object.freeze({
      strategy: 'consistent-hash',
      virtualNodes: DEFAULT_VIRTUAL_NODES,
      key: 'id',
    });
  }
  const obj = topologyObject(input, path);
  const strategy = obj['strategy'];
  if (!isStrategy(strategy)) {
    throw new InvalidTopologyError(
      `\`${path}.strategy\` must be one of ${SHARDING_STRATEGIES.map((s) => `'${s}'`).join(', ')}, received ${describeValue(strategy)}`,
    );
  }
  rejectUnknownTopologyKeys(obj, path, KEYS_BY_STRATEGY[strategy], ` for strategy '${strategy}'`);
  const key = resolveShardKey(obj['key'], `${path}.key`);
  switch (strategy) {
    case 'consistent-hash':
      return Object.freeze({
        strategy,
        virtualNodes: resolveVirtualNodes(obj['virtualNodes'], `${path}.virtualNodes`),
        key,
      });
    case 'range':
      return Object.freeze({
        strategy,
        boundaries: resolveBoundaries(obj['boundaries'], `${path}.boundaries`),
        key,
      });
    default:
      return Object.freeze({ strategy, key });
  }
}
