/**
 * The storage and exact search of one in-memory collection.
 *
 * Inputs arrive validated and copied by `MemoryBackend`; this file only stores, scans and
 * scores. Vectors are kept as the caller's original `Float32Array` with their norm, so cosine
 * scores are the similarity of the original vectors and `get` returns them unchanged.
 *
 * @module
 */
import type { FilterNode } from '../../core/filter-ast.js';
import { matchesFilter } from '../../core/filter.js';
import type { CollectionSpec, Payload, PointId } from '../../core/types.js';
import { norm } from '../../core/vector.js';
import { keysAfter } from '../scan-pages.js';
import { exactSearch } from './exact-search.js';
import type { Ranked } from './top-k.js';

/** One stored point. */
export interface MemoryRecord {
  /** The point's id. */
  readonly id: PointId;
  /** `idKey(id)`, the map key and the scan order. */
  readonly key: string;
  /** The vector as stored (never handed out; copies are). */
  readonly vector: Float32Array;
  /** `norm(vector)`, kept for cosine. */
  readonly norm: number;
  /** The payload, owned by the store (never handed out; copies are). */
  readonly payload: Payload | undefined;
}

/**
 * One collection of a `MemoryBackend`: points by id key, exact top-k search and a stable
 * id scan.
 *
 * @example
 * ```ts
 * const c = new MemoryCollection({ dimension: 2, metric: 'l2' });
 * c.upsert([makeRecord(1, 'n:1', Float32Array.of(0, 1), undefined)]);
 * c.search([Float32Array.of(0, 0)], 10, undefined)[0]; // [{ score: 1, key: 'n:1', item }]
 * ```
 */
export class MemoryCollection {
  /** The collection's dimension, metric and index, frozen. */
  readonly spec: Readonly<CollectionSpec>;
  private readonly records = new Map<string, MemoryRecord>();
  // Caches rebuilt lazily after writes: the records as an array for fast scans, and the keys
  // in scan order.
  private recordList: MemoryRecord[] | undefined;
  private sortedKeys: string[] | undefined;

  /** @param spec - The collection's spec; it is copied. */
  constructor(spec: CollectionSpec) {
    const copy: CollectionSpec = { dimension: spec.dimension, metric: spec.metric };
    if (spec.index !== undefined) copy.index = Object.freeze({ ...spec.index });
    this.spec = Object.freeze(copy);
  }

  /** Number of points stored. */
  get size(): number {
    return this.records.size;
  }

  /** Inserts or replaces records by key; later records of the list win. */
  upsert(records: readonly MemoryRecord[]): void {
    for (const record of records) {
      if (!this.records.has(record.key)) this.sortedKeys = undefined;
      this.records.set(record.key, record);
    }
    if (records.length > 0) this.recordList = undefined;
  }

  /** Deletes records by key; unknown keys are ignored. */
  delete(keys: readonly string[]): void {
    for (const key of keys) {
      if (this.records.delete(key)) {
        this.sortedKeys = undefined;
        this.recordList = undefined;
      }
    }
  }

  /** The record with this key, if any. */
  get(key: string): MemoryRecord | undefined {
    return this.records.get(key);
  }

  /** Counts the records matching a filter (all of them without one). */
  count(filter: FilterNode | undefined): number {
    if (filter === undefined) return this.records.size;
    let n = 0;
    for (const r of this.list()) if (matchesFilter(filter, r.payload)) n++;
    return n;
  }

  /**
   * Exact top-k search, one list per query, best first. Queries must have the collection's
   * dimension and (for cosine) a non-zero norm.
   *
   * @param queries - Query vectors.
   * @param topK - Hits wanted per query.
   * @param filter - Only records matching it are scored.
   * @param beforeQuery - Called before each query, e.g. to stop on an aborted signal.
   * @returns Per query, the best records with their scores.
   */
  search(
    queries: readonly Float32Array[],
    topK: number,
    filter: FilterNode | undefined,
    beforeQuery?: () => void,
  ): Ranked<MemoryRecord>[][] {
    // Filter once for the whole batch, not once per query.
    const candidates =
      filter === undefined
        ? this.list()
        : this.list().filter((r) => matchesFilter(filter, r.payload));
    return exactSearch(this.spec.metric, candidates, queries, topK, beforeQuery);
  }

  /**
   * One page of keys in scan order (UTF-16 order of `idKey`), strictly after `afterKey`.
   * Resuming after the last key of a page never skips a key that exists throughout the scan,
   * whatever is inserted or deleted between pages.
   *
   * @param afterKey - The last key of the previous page, or `undefined` to start.
   * @param limit - Most keys to return.
   * @returns The keys, and whether more follow.
   */
  scan(afterKey: string | undefined, limit: number): { keys: string[]; more: boolean } {
    return keysAfter(this.keysInOrder(), afterKey, limit);
  }

  /** Frees the stored data. */
  clear(): void {
    this.records.clear();
    this.recordList = undefined;
    this.sortedKeys = undefined;
  }

  private list(): MemoryRecord[] {
    this.recordList ??= [...this.records.values()];
    return this.recordList;
  }

  private keysInOrder(): string[] {
    // The default sort compares UTF-16 code units, the order `keysAfter` expects.
    this.sortedKeys ??= [...this.records.keys()].sort();
    return this.sortedKeys;
  }
}

/**
 * Builds a record from a validated id, key, vector (owned by the record from now on) and
 * payload (already copied).
 *
 * @param id - The point's id.
 * @param key - `idKey(id)`.
 * @param vector - The vector; the record takes ownership.
 * @param payload - The payload copy, or `undefined`.
 * @returns The record.
 *
 * @example
 * ```ts
 * makeRecord('a', 's:a', Float32Array.of(3, 4), { lang: 'en' }).norm; // 5
 * ```
 */
export function makeRecord(
  id: PointId,
  key: string,
  vector: Float32Array,
  payload: Payload | undefined,
): MemoryRecord {
  return { id, key, vector, norm: norm(vector), payload };
}
