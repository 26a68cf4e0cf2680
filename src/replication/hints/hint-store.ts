/**
 * The hint store contract: writes a replica missed while it was down, kept per replica in the
 * order they happened, to be replayed when the replica is back (architecture §5, "hints and repair").
 *
 * A store is bounded per replica. When a replica's share is full, replaying what is left would
 * skip writes (a gappy log), so the store discards every pending hint of that replica instead
 * and marks it as needing `repair()`: nothing acknowledged is silently lost, it is either
 * replayed in order or repaired.
 *
 * Two implementations ship: `memoryHintStore()` (the default; lost with the process) and
 * `fileHintStore()` (durable: survives a crash or restart of the process).
 *
 * @module
 */
import type { Point, PointId } from '../../core/types.js';

/** What a hint does when replayed: `upsert` its points or `delete` its ids. */
export type HintOperation = 'upsert' | 'delete';

/** A write to keep for a replica, as the write path hands it over. */
export interface HintInput {
  /** The PHYSICAL collection name on that replica (what its backend calls the collection). */
  readonly collection: string;
  /** What to do on replay. */
  readonly op: HintOperation;
  /** The points to upsert; required (non-empty) when `op` is `upsert`. */
  readonly points?: readonly Point[];
  /** The ids to delete; required (non-empty) when `op` is `delete`. */
  readonly ids?: readonly PointId[];
}

/**
 * A stored hint.
 *
 * A vector comes back as a `number[]` or a `Float32Array` holding exactly the values that were
 * appended (a float32 element converts to a `number` and back without loss), so replaying the
 * hint upserts the same values. Treat a hint as read-only: a store may hand out its own copy.
 */
export interface Hint extends HintInput {
  /** Position in the replica's log: per replica, strictly increasing, never reused. */
  readonly seq: number;
  /** When the hint was appended, in milliseconds since the epoch. */
  readonly createdAt: number;
}

/** What {@link HintStore.append} did: `stored`, or `overflow` (not stored; replica needs repair). */
export type AppendOutcome = 'stored' | 'overflow';

/**
 * Where hints wait for their replica.
 *
 * Operations on one replica take effect in call order; different replicas are independent.
 * After `close()` every method rejects (or throws) `ClosedError`.
 *
 * @example
 * ```ts
 * const hints = memoryHintStore();
 * await hints.open();
 * await hints.append('local/s0/r1', { collection: 'docs', op: 'delete', ids: ['a'] });
 * for (const hint of await hints.pending('local/s0/r1', 100)) {
 *   await replay(hint); // upsert hint.points or delete hint.ids on the replica
 *   await hints.ack('local/s0/r1', hint.seq);
 * }
 * ```
 */
export interface HintStore {
  /**
   * Loads what an earlier process left behind (durable stores) and makes the synchronous
   * methods usable. Idempotent; the asynchronous methods call it on first use.
   *
   * @throws `ClosedError` after `close()`; a durable store rejects when its directory cannot
   *   be created or read (a corrupt log is reported and cut, never a failed start).
   */
  open(): Promise<void>;
  /**
   * Stores a hint for a replica, or answers `overflow` when the store is full for it: then the
   * hint is NOT stored, every pending hint of that replica is discarded (replaying a gappy log
   * would be wrong), and the replica is marked as needing repair until
   * {@link HintStore.clearNeedsRepair}. While marked, appends answer `overflow` without storing.
   *
   * @throws `InvalidArgumentError` when the replica id or the hint is malformed.
   */
  append(replicaId: string, hint: HintInput): Promise<AppendOutcome>;
  /**
   * The replica's oldest pending hints, oldest first, at most `limit` (an integer >= 1).
   *
   * @throws `InvalidArgumentError` when `limit` is not an integer >= 1.
   */
  pending(replicaId: string, limit: number): Promise<Hint[]>;
  /** Removes every hint of the replica with `seq <= seq` (after a successful replay). */
  ack(replicaId: string, seq: number): Promise<void>;
  /** How many hints of the replica are pending (cheap, synchronous). */
  count(replicaId: string): number;
  /**
   * The seq of the newest hint stored for the replica, pending or acknowledged (0 when none
   * was): every hint appended after this call gets a larger seq. Cheap, synchronous. The hint
   * manager reads it before it writes directly to a replica that is catching up, so that
   * replay can skip what that write superseded.
   */
  lastSeq(replicaId: string): number;
  /** The replicas that have pending hints. */
  replicas(): string[];
  /** Whether hints were discarded for the replica, so that it needs `repair()`. */
  needsRepair(replicaId: string): boolean;
  /** Clears the needs-repair mark, after a repair of the replica succeeded. */
  clearNeedsRepair(replicaId: string): Promise<void>;
  /** Flushes and frees resources. Idempotent. */
  close(): Promise<void>;
}
