/**
 * The points of one collection: by id key (for get, upsert and delete) and by label, the
 * numeric key the HNSW index knows each point by.
 *
 * Labels are small integers handed out from a free list, so that the slot array stays dense
 * after deletes and a label never outgrows the number of points ever held at once. A point
 * keeps its label when it is replaced, so that the index is updated in place.
 *
 * @module
 */
import { keysAfter } from '../../backends/scan-pages.js';
import type { FilterNode } from '../../core/filter-ast.js';
import { matchesFilter } from '../../core/filter.js';
import type { Payload, PointId } from '../../core/types.js';
import { norm } from '../../core/vector.js';

/** One stored point. Records are immutable: a replace makes a new one with the same label. */
export interface StoredRecord {
  /** The id. */
  readonly id: PointId;
  /** `idKey(id)`: map key, scan order and tie-breaker of equal scores. */
  readonly key: string;
  /** The point's label in the HNSW index. */
  readonly label: number;
  /** The vector (never handed out; copies are). */
  readonly vector: Float32Array;
  /** `norm(vector)`, kept for cosine. */
  readonly norm: number;
  /** The payload (never handed out; copies are). */
  readonly payload: Payload | undefined;
}

/**
 * Points by key and by label, with a stable scan order.
 *
 * @example
 * ```ts
 * const table = new PointTable();
 * const { record, replaced } = table.put(7, 'n:7', Float32Array.of(1, 0), undefined);
 * table.byLabel(record.label)?.id; // 7
 * ```
 */
export class PointTable {
  private readonly byKey = new Map<string, StoredRecord>();
  private readonly slots: (StoredRecord | undefined)[] = [];
  private free: number[] = [];
  // The keys in scan order, rebuilt on the first scan after a key was added or removed. It
  // holds one reference per point, so it is bounded by the data.
  private sortedKeys: string[] | undefined;

  /** Number of points. */
  get size(): number {
    return this.byKey.size;
  }

  /** The point with this key. */
  get(key: string): StoredRecord | undefined {
    return this.byKey.get(key);
  }

  /** The point with this label. */
  byLabel(label: number): StoredRecord | undefined {
    return this.slots[label];
  }

  /**
   * Inserts a point or replaces the one with the same key (which keeps its label).
   *
   * @returns The new record, and whether it replaced one.
   */
  put(
    id: PointId,
    key: string,
    vector: Float32Array,
    payload: Payload | undefined,
  ): { record: StoredRecord; replaced: boolean } {
    const old = this.byKey.get(key);
    const label = old?.label ?? this.free.pop() ?? this.slots.length;
    const record: StoredRecord = { id, key, label, vector, norm: norm(vector), payload };
    this.byKey.set(key, record);
    this.slots[label] = record;
    if (old === undefined) this.sortedKeys = undefined;
    return { record, replaced: old !== undefined };
  }

  /**
   * Places a point at a given label, as read from a snapshot. Call {@link PointTable.seal} once
   * every point is placed.
   *
   * @returns `false` when the key or the label is taken already (a damaged snapshot).
   */
  restore(
    id: PointId,
    key: string,
    label: number,
    vector: Float32Array,
    payload?: Payload,
  ): boolean {
    if (this.byKey.has(key) || this.slots[label] !== undefined) return false;
    const record: StoredRecord = { id, key, label, vector, norm: norm(vector), payload };
    this.byKey.set(key, record);
    this.slots[label] = record;
    this.sortedKeys = undefined;
    return true;
  }

  /** After {@link PointTable.restore}: the labels left unused become free. */
  seal(): void {
    this.free = [];
    for (let label = this.slots.length - 1; label >= 0; label--) {
      if (this.slots[label] === undefined) this.free.push(label);
    }
  }

  /**
   * Removes a point.
   *
   * @returns The removed record, or `undefined` when there was none.
   */
  remove(key: string): StoredRecord | undefined {
    const old = this.byKey.get(key);
    if (old === undefined) return undefined;
    this.byKey.delete(key);
    this.slots[old.label] = undefined;
    this.free.push(old.label);
    this.sortedKeys = undefined;
    return old;
  }

  /** Every point, in label order. */
  *records(): IterableIterator<StoredRecord> {
    for (const r of this.slots) if (r !== undefined) yield r;
  }

  /** The points matching a filter (all of them without one), in label order. */
  matching(filter: FilterNode | undefined): StoredRecord[] {
    const out: StoredRecord[] = [];
    for (const r of this.slots) {
      if (r !== undefined && (filter === undefined || matchesFilter(filter, r.payload)))
        out.push(r);
    }
    return out;
  }

  /** Counts the points matching a filter. */
  count(filter: FilterNode | undefined): number {
    if (filter === undefined) return this.byKey.size;
    let n = 0;
    for (const r of this.slots) if (r !== undefined && matchesFilter(filter, r.payload)) n++;
    return n;
  }

  /**
   * One page of keys in scan order (UTF-16 order of `idKey`), strictly after `afterKey`.
   * Resuming after the last key of a page never skips a key that exists throughout the scan,
   * whatever is written between pages.
   *
   * @param afterKey - The last key of the previous page, or `undefined` to start.
   * @param limit - Most keys to return.
   * @returns The keys, and whether more follow.
   */
  scan(afterKey: string | undefined, limit: number): { keys: string[]; more: boolean } {
    // The default sort compares UTF-16 code units, the order `keysAfter` expects.
    this.sortedKeys ??= [...this.byKey.keys()].sort();
    return keysAfter(this.sortedKeys, afterKey, limit);
  }
}
