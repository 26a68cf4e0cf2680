/**
 * Hinted handoff: keeps the writes a replica missed and replays them, in order, when it is back.
 *
 * A replica that is catching up (hints pending) still takes new writes directly, and they count
 * towards the consistency level (as in Cassandra). Two things keep replay from overwriting such
 * a newer write with an older hint:
 * - {@link HintManager.superseded} notes, per replica, the ids of each direct write and the
 *   replica's last hint seq when it was sent; replay drops those ids from every hint up to that
 *   seq (they are older);
 * - the direct write is also appended behind the backlog, so that after a process restart
 *   (when that note is gone) replay, which applies hints in order, still ends on the newest
 *   value.
 * A replay request already in flight when a direct write lands can still apply an older value
 * for a moment; the copy behind the backlog puts the newest back.
 *
 * Replay sends runs of consecutive hints of one operation on one collection as one request,
 * cut to the backend's points and bytes limits, so that it runs at the backend's write speed.
 *
 * @module
 */
import type { Replica } from '../backends/backend-topology.js';
import type { MeshEventEmitter } from '../core/events.js';
import { idKey } from '../core/ids.js';
import { idBytes, pointBytes } from '../core/point-size.js';
import type { Point, PointId } from '../core/types.js';
import type { Hint, HintInput, HintStore } from './hints/hint-store.js';
import type { ReplicaRuntime } from './replica-runtime.js';
import type { ResolvedAttemptTimeoutOptions } from '../resilience/attempt-timeout.js';
import { ClosedError } from '../core/errors.js';

/** One replay request: consecutive hints of one operation on one collection. */
interface ReplayRequest {
  readonly op: Hint['op'];
  readonly collection: string;
  readonly points: Point[];
  readonly ids: PointId[];
  /** Id key -> index in `points`. */
  readonly positions: Map<string, number>;
  /** The seq of the last hint it carries (acknowledged once the request succeeds). */
  lastSeq: number;
  count: number;
  bytes: number;
}

/**
 * Stores hints for replicas and replays them through each replica's runtime (so that replays
 * feed its breaker like any other request). One replay at a time per replica.
 */
export class HintManager {
  private readonly replaying = new Map<string, Promise<void>>();
  /** Hand-offs still to come: writes that were acknowledged before every replica answered. */
  private readonly stragglers = new Set<Promise<void>>();
  private readonly runtimes = new Map<string, ReplicaRuntime>();
  /** Per replica: id key -> the replica's last hint seq when a newer direct write was sent. */
  private readonly superseding = new Map<string, Map<string, number>>();
  private closed = false;
  /** Aborted by `close()`: replays in flight stop at once. */
  private readonly stop = new AbortController();

  /**
   * @param store - Where hints are kept.
   * @param runtimes - Every replica's runtime, to replay through.
   * @param events - Where hint events are reported.
   * @param replayBatch - Hints fetched per replay step.
   * @param attemptTimeout - Per-attempt timeouts of replay requests (a replica that hangs
   *   again fails its replay instead of holding it), or `undefined` for none.
   */
  constructor(
    readonly store: HintStore,
    runtimes: Iterable<ReplicaRuntime>,
    private readonly events: MeshEventEmitter,
    private readonly replayBatch: number,
    private readonly attemptTimeout?: ResolvedAttemptTimeoutOptions,
  ) {
    for (const runtime of runtimes) this.runtimes.set(runtime.replica.id, runtime);
  }

  /** Replays through `runtime` from now on (a replica added by a topology change). */
  track(runtime: ReplicaRuntime): void {
    this.runtimes.set(runtime.replica.id, runtime);
  }

  /**
   * Forgets a replica removed from the topology: waits for its replay in flight, then discards
   * its pending hints (they were for a copy that no longer exists).
   */
  async discard(replicaId: string): Promise<void> {
    this.runtimes.delete(replicaId);
    this.superseding.delete(replicaId);
    await this.replaying.get(replicaId);
    while (this.store.count(replicaId) > 0) {
      const hints = await this.store.pending(replicaId, 1000);
      const last = hints[hints.length - 1];
      if (last === undefined) break;
      await this.store.ack(replicaId, last.seq);
    }
    if (this.store.needsRepair(replicaId)) await this.store.clearNeedsRepair(replicaId);
  }

  /** Loads a durable store's hints from an earlier process. */
  open(): Promise<void> {
    return this.store.open();
  }

  /** Whether `replica` is catching up: it has hints pending. */
  hasBacklog(replica: Replica): boolean {
    return this.store.count(replica.id) > 0;
  }

  /**
   * A read plan with the replicas that are catching up moved to its end: they may still lack
   * writes they missed, so they serve a read only when no caught-up replica can.
   */
  caughtUpFirst(plan: Replica[]): Replica[] {
    let behind: Replica[] | undefined;
    for (const replica of plan) {
      if (this.store.count(replica.id) > 0) (behind ??= []).push(replica);
    }
    if (behind === undefined || behind.length === plan.length) return plan;
    return [...plan.filter((r) => !behind.includes(r)), ...behind];
  }

  /**
   * The mark to take just before writing directly to a replica that is catching up: the seq of
   * its newest hint. Pass it to {@link HintManager.superseded} once the write succeeded.
   */
  mark(replica: Replica): number {
    return this.store.lastSeq(replica.id);
  }

  /**
   * Records that a direct write of `hint` reached `replica` while it was catching up: its ids
   * are dropped from every pending hint up to `mark` at replay, and the write is appended
   * behind the backlog too (see the module comment).
   *
   * @returns `true` when the copy was stored; `false` when the store overflowed (the replica now
   *   needs `repair()`, as for any hint).
   */
  superseded(replica: Replica, mark: number, hint: HintInput): Promise<boolean> {
    let ids = this.superseding.get(replica.id);
    if (ids === undefined) {
      ids = new Map();
      this.superseding.set(replica.id, ids);
    }
    for (const id of hintIds(hint)) {
      const key = idKey(id);
      if ((ids.get(key) ?? 0) < mark) ids.set(key, mark);
    }
    return this.handOff(replica, hint);
  }

  /** Pending hints over every replica. */
  pendingTotal(): number {
    let total = 0;
    for (const id of this.store.replicas()) total += this.store.count(id);
    return total;
  }

  /**
   * Keeps a write that `replica` missed.
   *
   * @returns `true` when it was stored; `false` when the store overflowed for the replica (it now
   * needs `repair()`).
   */
  async handOff(replica: Replica, hint: HintInput): Promise<boolean> {
    const stored = await this.store.append(replica.id, hint);
    const count = hint.points?.length ?? hint.ids?.length ?? 0;
    this.events.emit('hint', {
      replica: replica.id,
      action: stored === 'stored' ? 'stored' : 'overflow',
      count,
    });
    return stored === 'stored';
  }

  /** Starts replaying `replica`'s hints if it has some and is available; never rejects. */
  kick(replicaId: string): void {
    if (this.closed || this.replaying.has(replicaId) || this.store.count(replicaId) === 0) return;
    const runtime = this.runtimes.get(replicaId);
    if (!runtime?.available) return;
    const run = this.replay(runtime).finally(() => {
      this.replaying.delete(replicaId);
    });
    this.replaying.set(replicaId, run);
  }

  /** Kicks every replica with pending hints. */
  kickAll(): void {
    for (const id of this.store.replicas()) this.kick(id);
  }

  /**
   * Waits for a write that was acknowledged before every replica answered: `task` hands the
   * write off to the replicas that then miss it. {@link HintManager.settled} and `close()` wait
   * for it. `task` must not reject.
   */
  trackStraggler(task: Promise<void>): void {
    this.stragglers.add(task);
    void task.finally(() => this.stragglers.delete(task));
  }

  /** Resolves when the late hand-offs and the replays in flight now are done (for tests and `close()`). */
  async settled(): Promise<void> {
    await Promise.all(this.stragglers);
    await Promise.all(this.replaying.values());
  }

  /**
   * Waits for the late hand-offs and the replays in flight, then replays every replica that is
   * available and has hints, and waits for those replays.
   */
  async flush(): Promise<void> {
    await this.settled();
    this.kickAll();
    await this.settled();
  }

  /** Stops starting replays, waits for those in flight, closes the store. */
  async close(): Promise<void> {
    this.closed = true;
    this.stop.abort(new ClosedError('the mesh is closing; hint replay stopped'));
    await this.settled();
    await this.store.close();
  }

  /**
   * Replays oldest first until the log is empty, the replica fails, or the manager closes: each
   * fetched batch is cut into requests ({@link HintManager.requests}), sent in order, and
   * acknowledged once, up to the last request that succeeded.
   */
  private async replay(runtime: ReplicaRuntime): Promise<void> {
    const id = runtime.replica.id;
    const backend = runtime.replica.backend;
    let replayed = 0;
    try {
      while (!this.closed) {
        const hints = await this.store.pending(id, this.replayBatch);
        const last = hints[hints.length - 1];
        if (last === undefined) break;
        let done: number | undefined;
        try {
          for (const request of this.requests(runtime.replica, hints)) {
            if (request.count > 0) {
              await runtime.attempt(
                (signal) =>
                  request.op === 'upsert'
                    ? backend.upsert(request.collection, request.points, { signal })
                    : backend.delete(request.collection, request.ids, { signal }),
                this.stop.signal,
                this.attemptTimeout,
                'hint replay',
                'write',
              );
            }
            done = request.lastSeq;
            replayed += request.count;
          }
        } finally {
          // One ack per batch (a durable store pays an fsync per ack), up to the last success.
          if (done !== undefined) {
            await this.store.ack(id, done);
            this.forgetSuperseded(id, done);
          }
        }
      }
      if (replayed > 0)
        this.events.emit('hint', { replica: id, action: 'replayed', count: replayed });
    } catch {
      // The replica failed again; its breaker counted it, and the next beat tries again.
      this.events.emit('hint', { replica: id, action: 'replay-failed', count: replayed });
    }
  }

  /**
   * Cuts hints into replay requests: consecutive hints of one operation on one collection go
   * together while they fit the backend's points and bytes limits (order is kept, so a delete
   * between two upserts stays between them). Ids superseded by a newer direct write are left
   * out; a hint left empty still advances the acknowledged seq.
   */
  private requests(replica: Replica, hints: readonly Hint[]): ReplayRequest[] {
    const { maxPointsPerRequest, maxBytesPerRequest } = replica.backend.capabilities;
    const newer = this.superseding.get(replica.id);
    const out: ReplayRequest[] = [];
    let current: ReplayRequest | undefined;
    for (const hint of hints) {
      const isNewer = (id: PointId): boolean => (newer?.get(idKey(id)) ?? 0) >= hint.seq;
      const points = hint.op === 'upsert' ? (hint.points ?? []).filter((p) => !isNewer(p.id)) : [];
      const ids = hint.op === 'delete' ? (hint.ids ?? []).filter((i) => !isNewer(i)) : [];
      const count = points.length + ids.length;
      let bytes = 0;
      for (const point of points) bytes += pointBytes(point);
      for (const id of ids) bytes += idBytes(id);
      const joins =
        current !== undefined &&
        current.op === hint.op &&
        current.collection === hint.collection &&
        (current.count === 0 ||
          (current.count + count <= maxPointsPerRequest &&
            current.bytes + bytes <= maxBytesPerRequest));
      if (current === undefined || !joins) {
        current = {
          op: hint.op,
          collection: hint.collection,
          points: [],
          ids: [],
          positions: new Map(),
          lastSeq: hint.seq,
          count: 0,
          bytes: 0,
        };
        out.push(current);
      }
      // The same id twice in one request: the later value replaces the earlier in place.
      for (const point of points) {
        const key = idKey(point.id);
        const at = current.positions.get(key);
        if (at === undefined) {
          current.positions.set(key, current.points.length);
          current.points.push(point);
        } else current.points[at] = point;
      }
      current.ids.push(...ids);
      current.count += count;
      current.bytes += bytes;
      current.lastSeq = hint.seq;
    }
    return out;
  }

  /** Drops the notes that no pending hint can be older than any more. */
  private forgetSuperseded(replicaId: string, ackedSeq: number): void {
    const ids = this.superseding.get(replicaId);
    if (ids === undefined) return;
    if (this.store.count(replicaId) === 0) {
      this.superseding.delete(replicaId);
      return;
    }
    for (const [key, mark] of ids) if (mark <= ackedSeq) ids.delete(key);
  }
}

function hintIds(hint: HintInput): readonly PointId[] {
  return hint.op === 'upsert' ? (hint.points ?? []).map((p) => p.id) : (hint.ids ?? []);
}
