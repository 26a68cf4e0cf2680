/**
 * One collection of the reference node's store: its points, its HNSW index (none for `flat`),
 * and the reads. Writes arrive here only once they are in the write-ahead log (or while the log
 * is replayed), so this file never fails half-way through a write: every input was checked
 * before it was logged.
 *
 * Points can wait for the index: the log replay at start only puts points in the table (building
 * the HNSW graph is nearly all the time a replay takes, so the node starts without it), and so
 * does loading a snapshot whose index file lacks some points. Each point of the table is then
 * either in the index or among the unindexed ones, never both; searches score the unindexed
 * ones exactly next to the graph's candidates, so that no point is missed, and the store's
 * background indexer moves them into the index a slice at a time ({@link StoreCollection.indexSome}).
 *
 * @module
 */
import { hitsOf, storedPointsOf } from '../../backends/memory/record-copies.js';
import type { FilterNode } from '../../core/filter-ast.js';
import { idKey } from '../../core/ids.js';
import type { CollectionInfo, Hit, PointId, StoredPoint } from '../../core/types.js';
import { AnnIndex } from './ann-index.js';
import { searchPoints } from './collection-search.js';
import { PointTable, type StoredRecord } from './point-table.js';
import {
  DEFAULT_EF_SEARCH,
  NODE_CURSORS,
  type PreparedPoint,
  type StoreSpec,
} from './store-checks.js';
import type { StoreSearchRequest } from './store-contract.js';

/**
 * A collection: points, index, and the log position of its last change (which tells a snapshot
 * whether the collection's files must be written again).
 *
 * @example
 * ```ts
 * const c = new StoreCollection('docs', normalizeSpec({ dimension: 2, metric: 'l2' }), 1);
 * c.upsert(preparePoints([{ id: 'a', vector: [0, 1] }], c.spec), 2);
 * c.search({ vectors: [Float32Array.of(0, 0)], topK: 1, includePayload: false, includeVector: false });
 * ```
 */
export class StoreCollection {
  /** The collection's name. */
  readonly name: string;
  /** Its resolved spec. */
  readonly spec: StoreSpec;
  /** Its points. */
  readonly table: PointTable;
  /** Its HNSW index; `undefined` for a `flat` collection. */
  index: AnnIndex | undefined;
  /** Log seq of the last change (create, upsert or delete). */
  changedAt: number;
  /**
   * Whether points entered the index through {@link StoreCollection.indexSome} since the index
   * was last saved: the next snapshot must write the index again even when no record changed
   * the collection.
   */
  indexChanged = false;
  // Labels of points in the table but not (yet) in the index, in the order they arrived.
  private readonly unindexed = new Set<number>();

  /**
   * @param name - The name.
   * @param spec - The resolved spec.
   * @param changedAt - Log seq of its creation (or of the snapshot it was loaded from).
   * @param table - Its points, when loaded from a snapshot.
   * @param index - Its index, when loaded from a snapshot; made empty (for `hnsw`) otherwise.
   * @throws the usearch error when the index cannot be made.
   */
  constructor(
    name: string,
    spec: StoreSpec,
    changedAt: number,
    table: PointTable = new PointTable(),
    index?: AnnIndex,
  ) {
    this.name = name;
    this.spec = spec;
    this.changedAt = changedAt;
    this.table = table;
    this.index =
      index ?? (spec.index.type === 'hnsw' ? StoreCollection.emptyIndex(spec) : undefined);
  }

  /**
   * A new, empty HNSW index for a spec.
   *
   * @throws the usearch error when the index cannot be made, or an `Error` for a `flat` spec.
   */
  static emptyIndex(spec: StoreSpec): AnnIndex {
    if (spec.index.type !== 'hnsw') throw new Error('a flat collection has no index');
    return new AnnIndex({
      dimension: spec.dimension,
      metric: spec.metric,
      m: spec.index.m,
      efConstruction: spec.index.efConstruction,
      efSearch: DEFAULT_EF_SEARCH,
    });
  }

  /** Number of points. */
  get size(): number {
    return this.table.size;
  }

  /** Number of points waiting for the index (always 0 for a `flat` collection). */
  get unindexedCount(): number {
    return this.unindexed.size;
  }

  /**
   * Inserts or replaces points (a later point of the list wins over an earlier one with the
   * same id). A replaced point's old vector leaves the index before the new one enters it.
   *
   * @param points - Checked points.
   * @param seq - The log seq of the write.
   * @param deferIndex - Leave the points out of the index (they wait for
   *   {@link StoreCollection.indexSome}); the log replay does, live writes do not.
   * @default deferIndex false
   */
  upsert(points: readonly PreparedPoint[], seq: number, deferIndex = false): void {
    const fresh = new Map<number, Float32Array>();
    const stale: number[] = [];
    for (const p of points) {
      const { record, replaced } = this.table.put(p.id, p.key, p.vector, p.payload);
      if (this.index === undefined) continue;
      const label = record.label;
      // A point waiting for the index keeps waiting; the table holds its new vector.
      if (this.unindexed.has(label)) continue;
      if (replaced && !fresh.has(label)) stale.push(label);
      if (deferIndex) {
        this.unindexed.add(label);
        fresh.delete(label);
      } else {
        fresh.set(label, record.vector);
      }
    }
    if (this.index !== undefined) {
      this.index.remove(stale);
      this.index.add([...fresh.keys()], [...fresh.values()]);
    }
    this.changedAt = seq;
  }

  /** Deletes points by id; missing ids are ignored. */
  delete(ids: readonly PointId[], seq: number): void {
    const gone: number[] = [];
    let deleted = false;
    for (const id of ids) {
      const r = this.table.remove(idKey(id));
      if (r === undefined) continue;
      deleted = true;
      if (!this.unindexed.delete(r.label)) gone.push(r.label);
    }
    this.index?.remove(gone);
    if (deleted) this.changedAt = seq;
  }

  /**
   * Marks every point that the index does not hold as unindexed, after the index was loaded
   * from a snapshot (or made empty when its file was missing or damaged).
   *
   * @returns How many points wait for the index.
   * @throws `Error` when the index holds a label that no point of the table has: the file does
   *   not belong to this table and must not be used.
   */
  adoptIndex(): number {
    const index = this.index;
    this.unindexed.clear();
    if (index === undefined) return 0;
    const labels: number[] = [];
    for (const r of this.table.records()) labels.push(r.label);
    const held = index.containsEach(labels);
    labels.forEach((label, i) => {
      if (!held[i]) this.unindexed.add(label);
    });
    if (labels.length - this.unindexed.size !== index.size) {
      throw new Error('the index holds labels that no point of the collection has');
    }
    return this.unindexed.size;
  }

  /**
   * Moves up to `max` unindexed points into the index (oldest first), on every core; a slice of
   * the store's background indexer.
   *
   * @param max - The most points to index in this call.
   * @returns How many points were indexed.
   * @throws the usearch error when the index cannot take them.
   */
  indexSome(max: number): number {
    if (this.index === undefined || this.unindexed.size === 0) return 0;
    const labels: number[] = [];
    const vectors: Float32Array[] = [];
    for (const label of this.unindexed) {
      if (labels.length >= max) break;
      // Every unindexed label has its point in the table (a delete removes both).
      const r = this.table.byLabel(label) as StoredRecord;
      labels.push(label);
      vectors.push(r.vector);
    }
    this.index.add(labels, vectors);
    for (const label of labels) this.unindexed.delete(label);
    this.indexChanged = true;
    return labels.length;
  }

  /** Points by id, in request order, missing and repeated ones left out. */
  get(ids: readonly PointId[], includeVector: boolean): StoredPoint[] {
    return storedPointsOf(ids.map(idKey), (key) => this.table.get(key), includeVector);
  }

  /** Points matching a filter (all without one). */
  count(filter: FilterNode | undefined): number {
    return this.table.count(filter);
  }

  /**
   * One list of hits per query, best first. The request must be checked (query dimension,
   * `topK`, `ef`); see `collection-search.ts` for how each kind of search runs.
   */
  search(request: StoreSearchRequest, queries: readonly Float32Array[]): Hit[][] {
    const ranked = searchPoints(
      this.spec.metric,
      this.table,
      this.index,
      {
        queries,
        topK: request.topK,
        filter: request.filter,
        ef: request.ef,
        exact: request.exact === true,
      },
      this.unindexed,
    );
    return hitsOf(ranked, request.includePayload, request.includeVector);
  }

  /**
   * Ids in `idKey` order, page by page.
   *
   * @throws `InvalidArgumentError` for a cursor this store did not issue.
   */
  scanIds(cursor: string | undefined, limit: number): { ids: PointId[]; nextCursor?: string } {
    const after = cursor === undefined ? undefined : NODE_CURSORS.decode(cursor);
    const { keys, more } = this.table.scan(after, limit);
    return NODE_CURSORS.page(keys, more);
  }

  /** The collection as `describeCollection` reports it. */
  info(): CollectionInfo {
    return {
      name: this.name,
      dimension: this.spec.dimension,
      metric: this.spec.metric,
      index: { ...this.spec.index },
      count: this.table.size,
    };
  }
}
