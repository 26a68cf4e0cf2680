/**
 * The default hint store: bounded, in this process, lost when the process ends.
 *
 * @module
 */
import { ClosedError } from '../../core/errors.js';
import { optionObject, rejectUnknownKeys } from '../../core/options.js';
import {
  checkAckSeq,
  checkPendingLimit,
  checkReplicaId,
  copyHintInput,
  fits,
  hintWeight,
  resolveHintLimits,
  validateHintInput,
  type HintStoreLimits,
  type ResolvedHintStoreLimits,
} from './hint-input.js';
import type { AppendOutcome, Hint, HintInput, HintStore } from './hint-store.js';

/** Options of {@link memoryHintStore}: the per-replica bounds. */
export type MemoryHintStoreOptions = HintStoreLimits;

const OPTION_KEYS = ['maxHintsPerReplica', 'maxPointsPerReplica'];

/** One replica's queue. `head` skips acked hints without shifting the array on every ack. */
interface ReplicaQueue {
  hints: Hint[];
  head: number;
  points: number;
  lastSeq: number;
  needsRepair: boolean;
}

/**
 * A {@link HintStore} in memory. Memory is bounded by the limits: at most
 * `maxHintsPerReplica` hints and `maxPointsPerReplica` points plus ids per replica.
 *
 * Hints are deep copies of what was appended (a `Float32Array` vector stays a `Float32Array`),
 * so the caller may reuse its objects. Sequence numbers start at 1 per replica and are never
 * reused, not even after an overflow.
 *
 * @example
 * ```ts
 * const hints = memoryHintStore({ maxHintsPerReplica: 1000 });
 * await hints.append('local/s0/r1', { collection: 'docs', op: 'delete', ids: ['a'] }); // 'stored'
 * hints.count('local/s0/r1'); // 1
 * ```
 */
export class MemoryHintStore implements HintStore, AsyncDisposable {
  /** The resolved bounds. */
  readonly limits: ResolvedHintStoreLimits;

  private readonly queues = new Map<string, ReplicaQueue>();
  private closed = false;

  /**
   * @param options - The per-replica bounds.
   * @throws `InvalidOptionError` when an option is unknown or not an integer >= 1.
   */
  constructor(options: MemoryHintStoreOptions = {}) {
    const obj = optionObject(options, 'memoryHintStore options');
    rejectUnknownKeys(obj, 'memoryHintStore options', OPTION_KEYS);
    this.limits = resolveHintLimits(obj, 'memoryHintStore options');
  }

  /** Nothing to load; rejects with `ClosedError` after `close()`. */
  open(): Promise<void> {
    return this.run('open', () => undefined);
  }

  /** Stores a copy of the hint, or answers `overflow` (see {@link HintStore.append}). */
  append(replicaId: string, hint: HintInput): Promise<AppendOutcome> {
    return this.run('append', () => {
      const id = checkReplicaId(replicaId);
      const input = validateHintInput(hint);
      const queue = this.queue(id);
      if (queue.needsRepair) return 'overflow';
      const weight = hintWeight(input);
      if (
        !fits({ count: queue.hints.length - queue.head, points: queue.points }, weight, this.limits)
      ) {
        // Replaying the others without this one would skip a write: drop them all, repair later.
        queue.hints = [];
        queue.head = 0;
        queue.points = 0;
        queue.needsRepair = true;
        return 'overflow';
      }
      queue.lastSeq += 1;
      queue.hints.push(
        Object.freeze({ ...copyHintInput(input), seq: queue.lastSeq, createdAt: Date.now() }),
      );
      queue.points += weight;
      return 'stored';
    });
  }

  /** The oldest pending hints, at most `limit`. */
  pending(replicaId: string, limit: number): Promise<Hint[]> {
    return this.run('pending', () => {
      const id = checkReplicaId(replicaId);
      const max = checkPendingLimit(limit);
      const queue = this.queues.get(id);
      if (queue === undefined) return [];
      return queue.hints.slice(queue.head, queue.head + max);
    });
  }

  /** Removes the replica's hints with `seq <= seq`. */
  ack(replicaId: string, seq: number): Promise<void> {
    return this.run('ack', () => {
      const id = checkReplicaId(replicaId);
      const upTo = checkAckSeq(seq);
      const queue = this.queues.get(id);
      if (queue === undefined) return;
      while (queue.head < queue.hints.length) {
        const hint = queue.hints[queue.head] as Hint;
        if (hint.seq > upTo) break;
        queue.points -= hintWeight(hint);
        queue.head++;
      }
      // Compact now and then, so that acked hints do not stay reachable.
      if (queue.head === queue.hints.length) {
        queue.hints = [];
        queue.head = 0;
      } else if (queue.head >= 1024 && queue.head * 2 >= queue.hints.length) {
        queue.hints = queue.hints.slice(queue.head);
        queue.head = 0;
      }
    });
  }

  /** The seq of the replica's newest stored hint (see {@link HintStore.lastSeq}). */
  lastSeq(replicaId: string): number {
    this.checkOpen('lastSeq');
    return this.queues.get(checkReplicaId(replicaId))?.lastSeq ?? 0;
  }

  /** Pending hints of the replica. */
  count(replicaId: string): number {
    this.checkOpen('count');
    const queue = this.queues.get(checkReplicaId(replicaId));
    return queue === undefined ? 0 : queue.hints.length - queue.head;
  }

  /** Replicas with pending hints. */
  replicas(): string[] {
    this.checkOpen('replicas');
    const out: string[] = [];
    for (const [id, queue] of this.queues) if (queue.hints.length > queue.head) out.push(id);
    return out;
  }

  /** Whether the replica lost hints to an overflow and needs repair. */
  needsRepair(replicaId: string): boolean {
    this.checkOpen('needsRepair');
    return this.queues.get(checkReplicaId(replicaId))?.needsRepair ?? false;
  }

  /** Clears the mark, after a repair. */
  clearNeedsRepair(replicaId: string): Promise<void> {
    return this.run('clearNeedsRepair', () => {
      const queue = this.queues.get(checkReplicaId(replicaId));
      if (queue !== undefined) queue.needsRepair = false;
    });
  }

  /** Frees every hint; later calls fail with `ClosedError`. Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    this.queues.clear();
    return Promise.resolve();
  }

  /** Same as {@link MemoryHintStore.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // An idle replica keeps its entry (one small object per replica ever seen) so that its
  // sequence numbers are never reused: an old seq must not ack a newer hint.
  private queue(id: string): ReplicaQueue {
    let queue = this.queues.get(id);
    if (queue === undefined) {
      queue = { hints: [], head: 0, points: 0, lastSeq: 0, needsRepair: false };
      this.queues.set(id, queue);
    }
    return queue;
  }

  private checkOpen(operation: string): void {
    if (this.closed) {
      throw new ClosedError(
        `the memory hint store is closed; \`${operation}\` cannot be used after \`close()\``,
      );
    }
  }

  private run<T>(operation: string, body: () => T): Promise<T> {
    try {
      this.checkOpen(operation);
      return Promise.resolve(body());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/**
 * Creates a {@link MemoryHintStore}.
 *
 * @param options - Per-replica bounds.
 * @default options.maxHintsPerReplica 10_000
 * @default options.maxPointsPerReplica 100_000
 * @returns The store; no I/O, usable at once.
 * @throws `InvalidOptionError` when an option is unknown or not an integer >= 1.
 * @example
 * ```ts
 * const hints = memoryHintStore({ maxPointsPerReplica: 50_000 });
 * ```
 */
export function memoryHintStore(options?: MemoryHintStoreOptions): MemoryHintStore {
  return new MemoryHintStore(options);
}
