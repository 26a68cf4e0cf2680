/**
 * The reference node's storage engine: in-memory collections (points, payloads, usearch HNSW
 * graphs) made durable by a write-ahead log and snapshots.
 *
 * Writes: checked and copied when called, then queued. One flush at a time (the write lane)
 * takes everything queued so far, plans it in call order (`write-plan.ts`), appends all its
 * records with one write and one `fdatasync` (group commit), then applies them to memory and
 * settles the callers. A read therefore never sees a write that is not on disk, and a write's
 * promise resolves only once it is. Snapshots run in the same lane, between flushes.
 *
 * Snapshots are taken in the background when the log passes `snapshotEveryBytes`, when its
 * oldest record gets older than `snapshotMaxAgeMs`, and when the background indexer finishes;
 * also on `snapshot()` and `close()`. Each one is told to `onSnapshot`. One that fails leaves
 * the log whole; the size trigger tries again after another threshold's worth of records, the
 * age trigger after another `snapshotMaxAgeMs`.
 *
 * Index: points replayed from the log at start (and points an index file lacks) are in the
 * tables but not in the HNSW graphs; searches score them exactly (`collection-search.ts`). The
 * background indexer moves them into the graphs in slices of about {@link INDEX_SLICE_MS} of
 * work each, yielding to the event loop between slices so that requests are served meanwhile;
 * once it is done, a snapshot saves the graphs, so that the next start does not build them again.
 *
 * @module
 */
import { checkInteger } from '../../backends/argument-checks.js';
import {
  BackendError,
  ClosedError,
  CollectionNotFoundError,
  VecmeshError,
  describeValue,
  messageOf,
} from '../../core/errors.js';
import type { FilterNode } from '../../core/filter-ast.js';
import type {
  CollectionInfo,
  CollectionSpec,
  Hit,
  Point,
  PointId,
  StoredPoint,
} from '../../core/types.js';
import { applyRecord } from './apply-record.js';
import type { Manifest } from './snapshot-manifest.js';
import { removeStaleFiles, writeSnapshot } from './snapshot-files.js';
import {
  normalizeSpec,
  prepareIds,
  preparePoints,
  prepareQueries,
  validateCollectionName,
} from './store-checks.js';
import type { StoreCollection } from './store-collection.js';
import type {
  SnapshotEvent,
  SnapshotTrigger,
  StoreSearchRequest,
  VectorStore,
} from './store-contract.js';
import type { ResolvedStoreOptions } from './store-options.js';
import type { WalFile } from './wal-file.js';
import { encodeRecord } from './wal-record.js';
import { planWrites, type PendingWrite, type PlannedWrite } from './write-plan.js';

/** The work the background indexer aims to do between two turns of the event loop, in ms. */
export const INDEX_SLICE_MS = 20;

// Bounds of the points indexed in one slice (the slice size adapts to the measured time).
const MIN_SLICE_POINTS = 16;
const MAX_SLICE_POINTS = 16_384;

/** What `openStore` hands the store after recovery. */
export interface StoreState {
  /** The collections, by name. */
  readonly collections: Map<string, StoreCollection>;
  /** The log, or `undefined` in memory-only mode. */
  readonly wal: WalFile | undefined;
  /** The manifest in effect, if any. */
  readonly manifest: Manifest | undefined;
}

/** A write's arguments, before the lane adds the caller's promise. */
type WriteInput = PendingWrite extends infer W
  ? W extends PendingWrite
    ? Omit<W, 'resolve' | 'reject'>
    : never
  : never;

/**
 * The {@link VectorStore} of a reference node. Made by `openStore`.
 *
 * @example
 * ```ts
 * const store = await openStore({ dir: './data' });
 * await store.createCollection('docs', { dimension: 3, metric: 'cosine' });
 * await store.upsert('docs', [{ id: 1, vector: [1, 0, 0] }]); // on disk when this resolves
 * await store.close();
 * ```
 */
export class DurableStore implements VectorStore {
  private readonly collections: Map<string, StoreCollection>;
  private readonly wal: WalFile | undefined;
  private manifest: Manifest | undefined;
  private readonly dir: string | undefined;
  private readonly fsync: boolean;
  private readonly snapshotEveryBytes: number;
  private nextSnapshotAt: number;
  private readonly snapshotMaxAgeMs: number;
  private readonly onSnapshot: ((event: SnapshotEvent) => void) | undefined;
  // Armed when the log gets its first record after a snapshot; fires a snapshot by age.
  private ageTimer: NodeJS.Timeout | undefined;
  // A background snapshot is queued in the lane and has not started.
  private snapshotQueued = false;
  // Seq of the last applied write in memory-only mode (the log counts it otherwise).
  private memorySeq = 0;
  private queue: PendingWrite[] = [];
  private flushQueued = false;
  private lane: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  // Set when the log could not be written: later writes are refused, reads go on.
  private failure: VecmeshError | undefined;
  // The background indexer: whether a slice is scheduled, its size, and who waits for the end.
  private indexerScheduled = false;
  private slicePoints = 64;
  private indexWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private indexFailure: VecmeshError | undefined;
  // Set by `abandon()`: queued snapshots do nothing.
  private abandoned = false;

  /**
   * @param state - What recovery loaded.
   * @param options - The resolved options.
   */
  constructor(state: StoreState, options: ResolvedStoreOptions) {
    this.collections = state.collections;
    this.wal = state.wal;
    this.manifest = state.manifest;
    this.dir = options.dir;
    this.fsync = options.fsync;
    this.snapshotEveryBytes = options.snapshotEveryBytes;
    this.nextSnapshotAt = options.snapshotEveryBytes;
    this.snapshotMaxAgeMs = options.snapshotMaxAgeMs;
    this.onSnapshot = options.onSnapshot;
    this.memorySeq = state.wal?.lastSeq ?? 0;
    this.scheduleIndexing();
    // The replayed records count as just written: their real age is not known.
    this.scheduleSnapshots();
  }

  /** {@inheritDoc VectorStore.createCollection} */
  createCollection(name: string, spec: CollectionSpec): Promise<'created' | 'exists'> {
    return this.write(() => {
      validateCollectionName(name);
      return { kind: 'create', name, spec: normalizeSpec(spec) };
    });
  }

  /** {@inheritDoc VectorStore.dropCollection} */
  dropCollection(name: string): Promise<boolean> {
    return this.write(() => {
      validateCollectionName(name);
      return { kind: 'drop', name };
    });
  }

  /** {@inheritDoc VectorStore.describeCollection} */
  describeCollection(name: string): CollectionInfo {
    return this.collection(name, 'describeCollection').info();
  }

  /** Collection names, sorted. */
  listCollections(): string[] {
    this.checkOpen('listCollections');
    return [...this.collections.keys()].sort();
  }

  /** {@inheritDoc VectorStore.upsert} */
  upsert(name: string, points: readonly Point[]): Promise<void> {
    return this.write(() => {
      const c = this.collection(name, 'upsert');
      const prepared = preparePoints(points, c.spec);
      return prepared.length === 0
        ? undefined
        : { kind: 'upsert', name, spec: c.spec, points: prepared };
    });
  }

  /** {@inheritDoc VectorStore.delete} */
  delete(name: string, ids: readonly PointId[]): Promise<void> {
    return this.write(() => {
      this.collection(name, 'delete');
      const checked = prepareIds(ids);
      return checked.length === 0 ? undefined : { kind: 'delete', name, ids: checked };
    });
  }

  /** {@inheritDoc VectorStore.get} */
  get(name: string, ids: readonly PointId[], includeVector: boolean): StoredPoint[] {
    return this.collection(name, 'get').get(prepareIds(ids), includeVector);
  }

  /** {@inheritDoc VectorStore.count} */
  count(name: string, filter?: FilterNode): number {
    return this.collection(name, 'count').count(filter);
  }

  /** {@inheritDoc VectorStore.search} */
  search(name: string, request: StoreSearchRequest): Hit[][] {
    const c = this.collection(name, 'search');
    const queries = prepareQueries(request.vectors, c.spec);
    checkInteger(request.topK, 'request.topK', 1);
    if (request.ef !== undefined) checkInteger(request.ef, 'request.ef', 1);
    return c.search(request, queries);
  }

  /** {@inheritDoc VectorStore.scanIds} */
  scanIds(
    name: string,
    cursor: string | undefined,
    limit: number,
  ): { ids: PointId[]; nextCursor?: string } {
    const c = this.collection(name, 'scanIds');
    return c.scanIds(cursor, checkInteger(limit, 'limit', 1));
  }

  /**
   * Writes snapshots of every changed collection and truncates the log, after the writes queued
   * before it. Nothing to do in memory-only mode or when nothing changed since the last one.
   *
   * @throws {@link ClosedError} after `close()`; `BackendError` when the files cannot be written
   *   (the log then still holds everything).
   */
  snapshot(): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(this.closedError('snapshot'));
    return this.inLane(() => this.snapshotNow('request'));
  }

  /**
   * Points that wait for the background indexer, over every collection (0 once the graphs hold
   * every point). Not part of {@link VectorStore}.
   */
  get unindexed(): number {
    return this.unindexedCount();
  }

  /**
   * Resolves once every point is in its collection's HNSW graph: at once, unless the log replay
   * at start or a missing index file left points for the background indexer. Searches are
   * complete meanwhile (unindexed points are scored exactly); this is for tests and tools that
   * want the steady state. Not part of {@link VectorStore}.
   *
   * @returns A promise that resolves when nothing waits for an index.
   * @throws {@link ClosedError} when the store is closed first; `BackendError` when usearch
   *   refused points (they stay unindexed, and searched exactly).
   * @example
   * ```ts
   * const store = (await openStore({ dir })) as DurableStore;
   * await store.indexed();
   * ```
   */
  indexed(): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(this.closedError('indexed'));
    if (this.unindexedCount() === 0) return Promise.resolve();
    if (this.indexFailure !== undefined) return Promise.reject(this.indexFailure);
    return new Promise((resolve, reject) => {
      this.indexWaiters.push({ resolve, reject });
    });
  }

  /**
   * Waits for the queued writes, takes a last snapshot (so that the next start replays nothing)
   * and closes the log. Idempotent; every call after the first gets the same promise.
   *
   * @throws `BackendError` when the last snapshot fails (the files are closed anyway and the log
   *   still holds every write).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopIndexing();
      this.stopAgeTimer();
      await this.drainLane();
      let error: unknown;
      if (this.failure === undefined)
        await this.snapshotNow('close').catch((err: unknown) => (error = err));
      await this.wal?.close().catch(() => undefined);
      this.collections.clear();
      if (error !== undefined) throw this.ioError('close', error);
    })();
    return this.closing;
  }

  /**
   * Test hook: closes the log file without flushing the queue or taking a snapshot, as if the
   * process had died right after its last acknowledged write. Not part of {@link VectorStore}.
   * Background work stops: a snapshot already writing files finishes (a crash may come after
   * one as well as before), queued ones do not start, so that no file changes once this resolves.
   *
   * @internal
   */
  async abandon(): Promise<void> {
    this.closing ??= Promise.resolve();
    this.abandoned = true;
    this.stopIndexing();
    this.stopAgeTimer();
    for (const w of this.queue.splice(0)) w.reject(this.closedError('abandon'));
    await this.drainLane();
    await this.wal?.close().catch(() => undefined);
  }

  /** Checks and queues a write; `make` returns `undefined` for a write that changes nothing. */
  private write<T>(make: () => WriteInput | undefined): Promise<T> {
    try {
      if (this.closing !== undefined) throw this.closedError('write');
      if (this.failure !== undefined) throw this.failure;
      const input = make();
      if (input === undefined) return Promise.resolve(undefined as T);
      return new Promise<T>((resolve, reject) => {
        this.queue.push({ ...input, resolve, reject } as PendingWrite);
        if (!this.flushQueued) {
          this.flushQueued = true;
          void this.inLane(() => this.flush());
        }
      });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Logs, applies and settles everything queued so far. Never rejects. */
  private async flush(): Promise<void> {
    this.flushQueued = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    if (this.failure !== undefined) {
      for (const w of batch) w.reject(this.failure);
      return;
    }
    let plans: PlannedWrite[];
    try {
      plans = planWrites(batch, (name) => this.collections.get(name)?.spec);
      const first = this.lastSeq + 1;
      const records = plans.flatMap((p) => (p.op === undefined ? [] : [p.op]));
      if (this.wal !== undefined && records.length > 0) {
        const lines = records.map((op, i) => encodeRecord(first + i, op));
        await this.wal.append(
          lines.length === 1 ? (lines[0] as Buffer) : Buffer.concat(lines),
          first + records.length - 1,
        );
      }
      // Apply in log order: memory becomes exactly what a replay of the log would build.
      records.forEach((op, i) => {
        applyRecord(this.collections, { ...op, seq: first + i });
      });
      this.memorySeq = first + records.length - 1;
    } catch (err) {
      // The log may hold part of the batch: refuse further writes until a restart replays it.
      this.failure = this.ioError('write', err);
      for (const w of batch) w.reject(this.failure);
      return;
    }
    for (const p of plans) p.settle();
    this.scheduleSnapshots();
  }

  /**
   * After records were written: queues a snapshot when the log passed its size threshold, and
   * arms the age timer when the log holds records and the timer is not running.
   */
  private scheduleSnapshots(): void {
    const wal = this.wal;
    if (wal === undefined || this.closing !== undefined || wal.recordBytes === 0) return;
    if (wal.recordBytes >= this.nextSnapshotAt) this.queueSnapshot('size');
    if (this.ageTimer === undefined && this.snapshotMaxAgeMs > 0) {
      this.ageTimer = setTimeout(() => {
        this.ageTimer = undefined;
        this.queueSnapshot('age');
      }, this.snapshotMaxAgeMs);
      // A store waiting to snapshot does not keep the process alive.
      this.ageTimer.unref();
    }
  }

  /** Queues a background snapshot in the lane, unless one is queued already. */
  private queueSnapshot(trigger: SnapshotTrigger): void {
    if (this.snapshotQueued || this.closing !== undefined) return;
    this.snapshotQueued = true;
    void this.inLane(async () => {
      this.snapshotQueued = false;
      try {
        await this.snapshotNow(trigger);
      } catch {
        // The log still holds everything (and `onSnapshot` was told): try again after another
        // threshold's worth of records, or another maximum age.
        this.nextSnapshotAt = (this.wal?.recordBytes ?? 0) + this.snapshotEveryBytes;
        this.scheduleSnapshots();
      }
    });
  }

  private stopAgeTimer(): void {
    clearTimeout(this.ageTimer);
    this.ageTimer = undefined;
  }

  /** Points waiting for an index, over every collection. */
  private unindexedCount(): number {
    let n = 0;
    for (const c of this.collections.values()) n += c.unindexedCount;
    return n;
  }

  /**
   * Runs the next slice of the background indexer soon, unless one is scheduled already.
   *
   * @param start - Only when some point waits for an index; `false` to schedule the last slice
   *   (the one that finds nothing left and wakes the waiters).
   */
  private scheduleIndexing(start = true): void {
    if (this.indexerScheduled || this.closing !== undefined) return;
    if (start && this.unindexedCount() === 0) return;
    this.indexerScheduled = true;
    setImmediate(() => {
      this.indexSlice();
    });
  }

  /**
   * One slice of the background indexer: indexes some points of the first collection that has
   * unindexed ones and schedules the next slice, or, when none is left, wakes the waiters and
   * queues a snapshot that saves the graphs.
   */
  private indexSlice(): void {
    this.indexerScheduled = false;
    if (this.closing !== undefined) return;
    const c = [...this.collections.values()].find((x) => x.unindexedCount > 0);
    if (c === undefined) {
      for (const w of this.indexWaiters.splice(0)) w.resolve();
      if ([...this.collections.values()].some((x) => x.indexChanged)) this.queueSnapshot('indexed');
      return;
    }
    const started = performance.now();
    try {
      c.indexSome(this.slicePoints);
    } catch (err) {
      // usearch refused (out of memory?): searches stay complete (exact for those points).
      this.indexFailure = this.ioError('index', err);
      for (const w of this.indexWaiters.splice(0)) w.reject(this.indexFailure);
      return;
    }
    const ms = performance.now() - started;
    if (ms < INDEX_SLICE_MS / 2) {
      this.slicePoints = Math.min(MAX_SLICE_POINTS, this.slicePoints * 2);
    } else if (ms > INDEX_SLICE_MS * 2) {
      this.slicePoints = Math.max(MIN_SLICE_POINTS, Math.floor(this.slicePoints / 2));
    }
    this.scheduleIndexing(false);
  }

  /** Stops the indexer for good and fails whoever waits for it. */
  private stopIndexing(): void {
    for (const w of this.indexWaiters.splice(0)) w.reject(this.closedError('indexed'));
  }

  /** The seq of the last record written (and applied). */
  private get lastSeq(): number {
    return this.wal?.lastSeq ?? this.memorySeq;
  }

  /**
   * Snapshot protocol, steps in `snapshot-files.ts`; run in the lane only. Does nothing when
   * nothing changed since the last snapshot; tells `onSnapshot` otherwise.
   */
  private async snapshotNow(trigger: SnapshotTrigger): Promise<void> {
    const wal = this.wal;
    if (wal === undefined || this.dir === undefined || this.failure !== undefined) return;
    if (this.abandoned) return;
    const indexChanged = [...this.collections.values()].some((c) => c.indexChanged);
    if (wal.recordBytes === 0 && this.manifest !== undefined && !indexChanged) return;
    const started = performance.now();
    const seq = wal.lastSeq;
    const logBytes = wal.recordBytes;
    try {
      if (this.manifest?.seq !== seq || indexChanged) {
        this.manifest = await writeSnapshot(
          this.dir,
          this.collections.values(),
          seq,
          this.manifest,
          this.fsync,
        );
      }
      await wal.restart(seq);
      this.nextSnapshotAt = this.snapshotEveryBytes;
      // Every record is in the snapshot now: the next one arms the timer again.
      this.stopAgeTimer();
      await removeStaleFiles(this.dir, this.manifest);
    } catch (err) {
      const error = this.ioError('snapshot', err);
      this.tellSnapshot({ trigger, seq, durationMs: performance.now() - started, logBytes, error });
      throw error;
    }
    this.tellSnapshot({ trigger, seq, durationMs: performance.now() - started, logBytes });
  }

  private tellSnapshot(event: SnapshotEvent): void {
    try {
      this.onSnapshot?.(event);
    } catch {
      // The callback is for telling; its failure must not fail the snapshot.
    }
  }

  private inLane<T>(task: () => Promise<T>): Promise<T> {
    const result = this.lane.then(task);
    this.lane = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async drainLane(): Promise<void> {
    let tail: Promise<void>;
    do {
      tail = this.lane;
      await tail;
    } while (tail !== this.lane);
  }

  private collection(name: string, operation: string): StoreCollection {
    this.checkOpen(operation);
    const c = typeof name === 'string' ? this.collections.get(name) : undefined;
    if (c === undefined) {
      const label = typeof name === 'string' ? `\`${name}\`` : describeValue(name);
      throw new CollectionNotFoundError(`collection ${label} does not exist`, {
        meta: { operation },
      });
    }
    return c;
  }

  private checkOpen(operation: string): void {
    if (this.closing !== undefined) throw this.closedError(operation);
  }

  private closedError(operation: string): ClosedError {
    return new ClosedError(
      `the store is closed; \`${operation}\` cannot be used after \`close()\``,
    );
  }

  private ioError(operation: string, err: unknown): VecmeshError {
    if (err instanceof VecmeshError) return err;
    return new BackendError(
      `the store${this.dir === undefined ? '' : ` at ${this.dir}`} failed in \`${operation}\`: ${messageOf(err)}`,
      { cause: err, meta: { operation } },
    );
  }
}
