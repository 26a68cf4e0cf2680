/**
 * Hinted handoff: keeps the writes a replica missed and replays them, in order, when it is back.
 *
 * While a replica has hints pending, new writes for it are appended to its hints too, so that a
 * replay can never overwrite a newer direct write with an older one.
 *
 * @module
 */
import type { Replica } from '../backends/backend-topology.js';
import type { MeshEventEmitter } from '../core/events.js';
import type { HintInput, HintStore } from './hints/hint-store.js';
import type { ReplicaRuntime } from './replica-runtime.js';

/**
 * Stores hints for replicas and replays them through each replica's runtime (so that replays
 * feed its breaker like any other request). One replay at a time per replica.
 */
export class HintManager {
  private readonly replaying = new Map<string, Promise<void>>();
  private readonly runtimes = new Map<string, ReplicaRuntime>();
  private closed = false;

  /**
   * @param store - Where hints are kept.
   * @param runtimes - Every replica's runtime, to replay through.
   * @param events - Where hint events are reported.
   * @param replayBatch - Hints fetched per replay step.
   */
  constructor(
    readonly store: HintStore,
    runtimes: Iterable<ReplicaRuntime>,
    private readonly events: MeshEventEmitter,
    private readonly replayBatch: number,
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

  /** Whether writes for `replica` must queue behind its pending hints. */
  hasBacklog(replica: Replica): boolean {
    return this.store.count(replica.id) > 0;
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

  /** Resolves when the replays in flight now are done (for tests and `close()`). */
  async settled(): Promise<void> {
    await Promise.all(this.replaying.values());
  }

  /** Stops starting replays, waits for those in flight, closes the store. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    await this.store.close();
  }

  /** Replays oldest first until the log is empty, the replica fails, or the manager closes. */
  private async replay(runtime: ReplicaRuntime): Promise<void> {
    const id = runtime.replica.id;
    const backend = runtime.replica.backend;
    let replayed = 0;
    try {
      while (!this.closed) {
        const hints = await this.store.pending(id, this.replayBatch);
        if (hints.length === 0) break;
        let done: number | undefined;
        try {
          for (const hint of hints) {
            await runtime.call(() =>
              hint.op === 'upsert'
                ? backend.upsert(hint.collection, hint.points ?? [])
                : backend.delete(hint.collection, hint.ids ?? []),
            );
            done = hint.seq;
            replayed += hint.points?.length ?? hint.ids?.length ?? 0;
          }
        } finally {
          // One ack per batch (a durable store pays an fsync per ack), up to the last success.
          if (done !== undefined) await this.store.ack(id, done);
        }
      }
      if (replayed > 0)
        this.events.emit('hint', { replica: id, action: 'replayed', count: replayed });
    } catch {
      // The replica failed again; its breaker counted it, and the next beat tries again.
      this.events.emit('hint', { replica: id, action: 'replay-failed', count: replayed });
    }
  }
}
