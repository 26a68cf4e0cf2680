/**
 * The options of the mesh's maintenance calls, `reshard`, `updateTopology`, `abortReshard` and
 * `repair`: their types, their defaults (written once, here), one check per option shared by
 * every call that takes it, and one resolver per call. Each resolver runs before the call does
 * anything, so a bad option fails the same way whatever the mesh is configured with.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from './errors.js';
import type { ReshardProgressEvent } from './events.js';
import { optionInteger, optionObject, optionSignal, rejectUnknownKeys } from './options.js';

/**
 * Default `batchSize` of every maintenance call: ids per scan page and points per copy or
 * delete batch (`reshard`, `updateTopology`, `abortReshard`), points per `get` and `upsert`
 * (`repair`).
 */
export const DEFAULT_BATCH_SIZE = 500;

/** Default `pageSize` of `repair`: ids asked for per `scanIds` page. */
export const DEFAULT_REPAIR_PAGE_SIZE = 1000;

/** Options of `mesh.reshard`. */
export interface ReshardOptions {
  /**
   * Path of the checkpoint file, rewritten atomically after every page. When it exists and
   * belongs to this migration (same placements and collections), the copy resumes from it;
   * when it belongs to another, the call is refused. Removed when the migration completes.
   * @default undefined (no checkpoint: a paused migration resumes from memory only)
   */
  checkpoint?: string;
  /**
   * Ids per scan page and points per copy batch, an integer >= 1 (lowered to the backends'
   * `maxPointsPerRequest`).
   * @default 500
   */
  batchSize?: number;
  /**
   * The collections to move.
   * @default every collection of the mesh (listed from a replica of the first shard)
   */
  collections?: readonly string[];
  /**
   * Pauses the migration after the page in flight: the checkpoint is kept, the mesh stays in
   * the migration view (dual writes on) and the call rejects with `AbortedError`.
   * @default undefined (runs to the end)
   */
  signal?: AbortSignal;
  /**
   * Called after every page, with the same payload as the `reshardProgress` event.
   * @default undefined (the event only)
   */
  onProgress?: (event: ReshardProgressEvent) => void;
}

/** Options of `mesh.updateTopology`. */
export interface UpdateTopologyOptions {
  /**
   * Points per scan page and per copy batch when filling an added replica, an integer >= 1
   * (lowered to the backends' `maxPointsPerRequest`).
   * @default 500
   */
  batchSize?: number;
  /**
   * Stops the fill between batches; the change is then undone and rejects with `AbortedError`.
   * @default undefined (runs to the end)
   */
  signal?: AbortSignal;
}

/** Options of `mesh.abortReshard`. */
export interface AbortReshardOptions {
  /**
   * The paused migration's checkpoint file, removed once the old placement is restored.
   * @default undefined
   */
  checkpoint?: string;
  /**
   * Ids per scan page and per delete batch of the cleanup, an integer >= 1.
   * @default 500
   */
  batchSize?: number;
}

/** Options of `repair()` (and of the per-shard `repairShard`). */
export interface RepairOptions {
  /**
   * Ids asked for per `scanIds` page, an integer >= 1 (lowered to a backend's
   * `maxPointsPerRequest` when that is smaller).
   * @default 1000
   */
  pageSize?: number;
  /**
   * Points per `get` and per `upsert` when copying, an integer >= 1 (lowered to the smaller
   * `maxPointsPerRequest` of the two backends).
   * @default 500
   */
  batchSize?: number;
  /**
   * Stops the repair between and during backend calls; it then rejects with `AbortedError`.
   * @default undefined (runs to the end)
   */
  signal?: AbortSignal;
}

/** {@link ReshardOptions} checked, with defaults filled in and `collections` sorted. */
export interface ResolvedReshardOptions {
  /** See {@link ReshardOptions.checkpoint}. */
  readonly checkpoint: string | undefined;
  /** See {@link ReshardOptions.batchSize}. */
  readonly batchSize: number;
  /** See {@link ReshardOptions.collections}; sorted, `undefined` for every collection. */
  readonly collections: readonly string[] | undefined;
  /** See {@link ReshardOptions.signal}. */
  readonly signal: AbortSignal | undefined;
  /** See {@link ReshardOptions.onProgress}. */
  readonly onProgress: ((event: ReshardProgressEvent) => void) | undefined;
}

/** {@link UpdateTopologyOptions} checked, with defaults filled in. */
export interface ResolvedUpdateTopologyOptions {
  /** See {@link UpdateTopologyOptions.batchSize}. */
  readonly batchSize: number;
  /** See {@link UpdateTopologyOptions.signal}. */
  readonly signal: AbortSignal | undefined;
}

/** {@link AbortReshardOptions} checked, with defaults filled in. */
export interface ResolvedAbortReshardOptions {
  /** See {@link AbortReshardOptions.checkpoint}. */
  readonly checkpoint: string | undefined;
  /** See {@link AbortReshardOptions.batchSize}. */
  readonly batchSize: number;
}

/** {@link RepairOptions} checked, with defaults filled in. */
export interface ResolvedRepairOptions {
  /** See {@link RepairOptions.pageSize}. */
  readonly pageSize: number;
  /** See {@link RepairOptions.batchSize}. */
  readonly batchSize: number;
  /** See {@link RepairOptions.signal}. */
  readonly signal: AbortSignal | undefined;
}

/**
 * Checks `reshard` options.
 *
 * @param options - What the caller passed (`undefined` reads as `{}`).
 * @returns The options with `batchSize` defaulted to {@link DEFAULT_BATCH_SIZE}.
 * @default options.batchSize 500
 * @throws {@link InvalidOptionError} naming the option (`options.batchSize`, ...) when one is
 *   invalid or unknown.
 * @example
 * ```ts
 * resolveReshardOptions({ collections: ['b', 'a'] });
 * // { checkpoint: undefined, batchSize: 500, collections: ['a', 'b'], signal: undefined, onProgress: undefined }
 * ```
 */
export function resolveReshardOptions(options: unknown): ResolvedReshardOptions {
  const raw = optionsOf(options, [
    'checkpoint',
    'batchSize',
    'collections',
    'signal',
    'onProgress',
  ]);
  const collections = raw['collections'];
  if (
    collections !== undefined &&
    (!Array.isArray(collections) ||
      collections.length === 0 ||
      !collections.every((c) => typeof c === 'string'))
  ) {
    throw new InvalidOptionError(
      `\`options.collections\` must be a non-empty array of collection names, received ${describeValue(collections)}`,
    );
  }
  const onProgress = raw['onProgress'];
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new InvalidOptionError(
      `\`options.onProgress\` must be a function, received ${describeValue(onProgress)}`,
    );
  }
  return Object.freeze({
    checkpoint: checkpointOption(raw['checkpoint']),
    batchSize: batchSizeOption(raw['batchSize']),
    collections: collections === undefined ? undefined : Object.freeze([...collections].sort()),
    signal: optionSignal(raw['signal'], 'options.signal'),
    onProgress: onProgress as ResolvedReshardOptions['onProgress'],
  });
}

/**
 * Checks `updateTopology` options.
 *
 * @param options - What the caller passed (`undefined` reads as `{}`).
 * @returns The options with `batchSize` defaulted to {@link DEFAULT_BATCH_SIZE}.
 * @default options.batchSize 500
 * @throws {@link InvalidOptionError} naming the option when one is invalid or unknown.
 * @example
 * ```ts
 * resolveUpdateTopologyOptions({}); // { batchSize: 500, signal: undefined }
 * ```
 */
export function resolveUpdateTopologyOptions(options: unknown): ResolvedUpdateTopologyOptions {
  const raw = optionsOf(options, ['batchSize', 'signal']);
  return Object.freeze({
    batchSize: batchSizeOption(raw['batchSize']),
    signal: optionSignal(raw['signal'], 'options.signal'),
  });
}

/**
 * Checks `abortReshard` options.
 *
 * @param options - What the caller passed (`undefined` reads as `{}`).
 * @returns The options with `batchSize` defaulted to {@link DEFAULT_BATCH_SIZE}.
 * @default options.batchSize 500
 * @throws {@link InvalidOptionError} naming the option when one is invalid or unknown (a
 *   `checkpoint` must be a non-empty path, as for `reshard`).
 * @example
 * ```ts
 * resolveAbortReshardOptions({ checkpoint: './reshard.json' });
 * // { checkpoint: './reshard.json', batchSize: 500 }
 * ```
 */
export function resolveAbortReshardOptions(options: unknown): ResolvedAbortReshardOptions {
  const raw = optionsOf(options, ['checkpoint', 'batchSize']);
  return Object.freeze({
    checkpoint: checkpointOption(raw['checkpoint']),
    batchSize: batchSizeOption(raw['batchSize']),
  });
}

/**
 * Checks `repair` options. A resolved object resolves to the same values, so that `repair()` can
 * check once, before the first shard, and hand the result to every shard's `repairShard`.
 *
 * @param options - What the caller passed (`undefined` reads as `{}`).
 * @returns The options with `pageSize` defaulted to {@link DEFAULT_REPAIR_PAGE_SIZE} and
 *   `batchSize` to {@link DEFAULT_BATCH_SIZE}.
 * @default options.pageSize 1000
 * @default options.batchSize 500
 * @throws {@link InvalidOptionError} naming the option when one is invalid or unknown.
 * @example
 * ```ts
 * resolveRepairOptions({ pageSize: 200 }); // { pageSize: 200, batchSize: 500, signal: undefined }
 * ```
 */
export function resolveRepairOptions(options: unknown): ResolvedRepairOptions {
  const raw = optionsOf(options, ['pageSize', 'batchSize', 'signal']);
  return Object.freeze({
    pageSize: optionInteger(raw['pageSize'], 'options.pageSize', DEFAULT_REPAIR_PAGE_SIZE, 1),
    batchSize: batchSizeOption(raw['batchSize']),
    signal: optionSignal(raw['signal'], 'options.signal'),
  });
}

/** The options object, refusing anything else and any key not in `keys`. */
function optionsOf(options: unknown, keys: readonly string[]): Record<string, unknown> {
  const raw = optionObject(options === undefined ? {} : options, 'options');
  rejectUnknownKeys(raw, 'options', keys);
  return raw;
}

/** `batchSize`: an integer >= 1, {@link DEFAULT_BATCH_SIZE} when not given. */
function batchSizeOption(value: unknown): number {
  return optionInteger(value, 'options.batchSize', DEFAULT_BATCH_SIZE, 1);
}

/** `checkpoint`: a non-empty file path, when given. */
function checkpointOption(value: unknown): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw new InvalidOptionError(
      `\`options.checkpoint\` must be a file path, received ${describeValue(value)}`,
    );
  }
  return value;
}
