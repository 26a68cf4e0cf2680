/**
 * Group commit for the file hint store: appends that arrive while a replica's previous write is
 * being flushed wait together and are then written and flushed together, one `fsync` for all.
 * This file decides, for such a batch, what each append gets, exactly as if they had been
 * appended one by one in call order.
 *
 * @module
 */
import { fits, type ResolvedHintStoreLimits } from './hint-input.js';
import { hintLine } from './hint-record.js';
import type { AppendOutcome } from './hint-store.js';
import type { LogRecord } from './replica-log.js';

/** An append waiting for its replica's next flush. */
export interface QueuedAppend {
  /** The hint's JSON without seq and time (made when `append` was called). */
  readonly body: string;
  /** Points plus ids. */
  readonly weight: number;
  /** When `append` was called, in ms since the epoch. */
  readonly createdAt: number;
  /** Settles the caller's promise. */
  readonly resolve: (outcome: AppendOutcome) => void;
  /** Fails the caller's promise. */
  readonly reject: (error: unknown) => void;
}

/** What a batch does to a replica's log. */
export interface BatchPlan {
  /** One outcome per queued append, in order. */
  readonly outcomes: readonly AppendOutcome[];
  /** The records to write (seqs `lastSeq + 1` on); dropped when `overflow` is true. */
  readonly records: readonly LogRecord[];
  /**
   * The replica overflowed in this batch: discard its hints (these records included, as
   * sequential appends would have) and mark it as needing repair.
   */
  readonly overflow: boolean;
}

/**
 * Plans a batch: in order, each append is `stored` while it fits beside what the replica holds
 * (and the earlier appends of the batch); the first that does not fit overflows the replica,
 * and it and every later one answer `overflow`. A replica already marked answers `overflow`
 * throughout.
 *
 * @param batch - The queued appends, in call order.
 * @param log - The replica's pending count and weight, last seq and mark.
 * @param limits - The store's bounds.
 * @returns The outcomes and the records to write.
 * @example
 * ```ts
 * const plan = planAppendBatch(batch, log, limits);
 * if (plan.overflow) await log.discardAndMark(); else await log.append(plan.records);
 * ```
 */
export function planAppendBatch(
  batch: readonly QueuedAppend[],
  log: {
    readonly count: number;
    readonly points: number;
    readonly lastSeq: number;
    readonly needsRepair: boolean;
  },
  limits: ResolvedHintStoreLimits,
): BatchPlan {
  const outcomes: AppendOutcome[] = [];
  const records: LogRecord[] = [];
  let held = { count: log.count, points: log.points };
  let full = log.needsRepair;
  let overflow = false;
  for (const item of batch) {
    if (!full && !fits(held, item.weight, limits)) {
      full = true;
      overflow = true;
    }
    if (full) {
      outcomes.push('overflow');
      continue;
    }
    const seq = log.lastSeq + records.length + 1;
    records.push({ line: hintLine(seq, item.createdAt, item.body), seq, weight: item.weight });
    held = { count: held.count + 1, points: held.points + item.weight };
    outcomes.push('stored');
  }
  return { outcomes, records, overflow };
}
