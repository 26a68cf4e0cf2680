/**
 * What a balancing policy sees of one replica, and the small helpers the policies share.
 *
 * Balancing sits below topology in the layout, so it cannot use the topology's `Replica`: the
 * mesh builds one {@link ReplicaView} per replica of a shard (from the topology weight, the
 * breaker and health state, its in-flight counter and its {@link PeakEwma}) and hands the list,
 * in the shard's replica order, to a policy.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../core/errors.js';

/**
 * A snapshot of one replica's state, as a balancing policy sees it. Policies only read it.
 *
 * @example
 * ```ts
 * const views: ReplicaView[] = [
 *   { weight: 2, available: true, outstanding: 0, latencyMs: 4.2 },
 *   { weight: 1, available: false, outstanding: 0, latencyMs: 0 }, // breaker open
 * ];
 * ```
 */
export interface ReplicaView {
  /** Relative share of reads, a finite number > 0 (the topology checks it). */
  readonly weight: number;
  /** `false` when the replica's breaker is open or a health probe marked it down. */
  readonly available: boolean;
  /** Requests in flight to the replica now, an integer >= 0. */
  readonly outstanding: number;
  /**
   * Current peak-EWMA latency estimate in milliseconds ({@link PeakEwma.value}); `0` means
   * unknown (no sample yet), which the latency-aware policy treats as fast so that a new
   * replica gets tried.
   */
  readonly latencyMs: number;
}

/**
 * Checks the replica count given to `createState`.
 *
 * @throws {@link InvalidArgumentError} when `count` is not an integer >= 0.
 * @internal
 */
export function checkReplicaCount(count: number): number {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new InvalidArgumentError(
      `\`replicaCount\` must be an integer >= 0, received ${describeValue(count)}`,
    );
  }
  return count;
}

/**
 * Indexes of the available replicas, ascending.
 *
 * @internal
 */
export function availableIndexes(replicas: readonly ReplicaView[]): number[] {
  const out: number[] = [];
  replicas.forEach((view, index) => {
    if (view.available) out.push(index);
  });
  return out;
}

/**
 * Indexes of the available replicas in cyclic order from `start` (wrapping past the end).
 * A `start` that is not an integer in `[0, length)` is folded into range, so a stale cursor
 * from a caller never throws on the hot path.
 *
 * @internal
 */
export function cyclicAvailable(replicas: readonly ReplicaView[], start: number): number[] {
  const n = replicas.length;
  const out: number[] = [];
  if (n === 0) return out;
  const first = Number.isSafeInteger(start) && start >= 0 ? start % n : 0;
  for (let k = 0; k < n; k++) {
    const index = (first + k) % n;
    if (replicas[index]?.available === true) out.push(index);
  }
  return out;
}

/**
 * Reorders `indexes` by ascending `key`, keeping the given order among equal keys (a stable
 * sort), so that callers can encode their tie-break in the order they pass.
 *
 * @internal
 */
export function orderByKey(indexes: readonly number[], key: (index: number) => number): number[] {
  const keyed = indexes.map((index) => ({ index, key: key(index) }));
  // A NaN key would make the comparator inconsistent; sort still returns a permutation, so
  // the "every available replica exactly once" guarantee holds whatever the input.
  keyed.sort((a, b) => a.key - b.key);
  return keyed.map((entry) => entry.index);
}

/**
 * A uniform integer in `[0, n)` from `random`, which should return a number in `[0, 1)`. A
 * generator that returns 1 (or more, or NaN) is clamped rather than trusted to index past the
 * end.
 *
 * @internal
 */
export function randomIndex(random: () => number, n: number): number {
  const r = random();
  const i = Math.floor(r * n);
  return i >= 0 && i < n ? i : i >= n ? n - 1 : 0;
}
