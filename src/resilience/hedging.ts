/**
 * Hedged reads: when the first replica has not answered after a delay, ask the next one too,
 * take the first good answer and abort the slower request.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../core/errors.js';
import { optionInteger, optionObject, rejectUnknownKeys } from '../core/options.js';

/** Hedging settings (reads only; on by default with the percentile defaults). */
export interface HedgingOptions {
  /** Fixed delay before the hedge, in milliseconds. Give this or `percentile`. */
  afterMs?: number;
  /**
   * Hedge after this percentile (e.g. 95) of the shard's recent latencies; until 32 samples
   * exist, `afterMs` (or 50 ms) is used.
   */
  percentile?: number;
  /**
   * Lower bound of the delay, so that a very fast shard is not hedged on every request.
   * @default 1
   */
  minAfterMs?: number;
}

/** Resolved hedging settings. */
export interface ResolvedHedgingOptions {
  /** Fixed delay, or the fallback before the percentile is known. */
  readonly afterMs: number;
  /** Percentile in (0, 100), or undefined for a fixed delay. */
  readonly percentile: number | undefined;
  /** Lower bound of the delay. */
  readonly minAfterMs: number;
}

/** What hedging does when no options are given: hedge after the shard's 95th percentile. */
export const DEFAULT_HEDGING: Readonly<HedgingOptions> = Object.freeze({
  percentile: 95,
  afterMs: 50,
  minAfterMs: 1,
});

/**
 * Validates hedging options; `undefined` gives {@link DEFAULT_HEDGING}, `false` turns hedging
 * off.
 *
 * @throws {@link InvalidOptionError} naming the bad option.
 * @example
 * ```ts
 * resolveHedgingOptions({ afterMs: 20 }); // { afterMs: 20, percentile: undefined, minAfterMs: 1 }
 * ```
 */
export function resolveHedgingOptions(input: unknown): ResolvedHedgingOptions | undefined {
  if (input === false) return undefined;
  if (input === undefined) return resolveHedgingOptions(DEFAULT_HEDGING);
  const raw = optionObject(input, 'hedging');
  rejectUnknownKeys(raw, 'hedging', ['afterMs', 'percentile', 'minAfterMs']);
  if (raw.afterMs === undefined && raw.percentile === undefined) {
    throw new InvalidOptionError('`hedging` needs `afterMs` or `percentile`');
  }
  const percentile = raw.percentile;
  if (
    percentile !== undefined &&
    (typeof percentile !== 'number' || !(percentile > 0 && percentile < 100))
  ) {
    throw new InvalidOptionError(
      `\`hedging.percentile\` must be a number in (0, 100), received ${describeValue(percentile)}`,
    );
  }
  return Object.freeze({
    afterMs: optionInteger(raw.afterMs, 'hedging.afterMs', 50, 0, 60_000),
    percentile,
    minAfterMs: optionInteger(raw.minAfterMs, 'hedging.minAfterMs', 1, 0, 60_000),
  });
}

const WINDOW = 512;
const MIN_SAMPLES = 32;
const RECOMPUTE_EVERY = 64;

/**
 * Recent latencies of one shard, for a percentile-based hedge delay. A ring of 512 samples; the
 * percentile is recomputed every 64 samples, so recording stays O(1).
 */
export class LatencyWindow {
  private readonly samples = new Float64Array(WINDOW);
  private size = 0;
  private next = 0;
  private sinceCompute = 0;
  private cached = Number.NaN;

  /** @param percentile - The percentile to track, in (0, 100). */
  constructor(private readonly percentile: number) {}

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % WINDOW;
    if (this.size < WINDOW) this.size++;
    if (++this.sinceCompute >= RECOMPUTE_EVERY || Number.isNaN(this.cached)) {
      if (this.size >= MIN_SAMPLES) this.recompute();
    }
  }

  /** The tracked percentile, or `undefined` before 32 samples. */
  value(): number | undefined {
    return Number.isNaN(this.cached) ? undefined : this.cached;
  }

  private recompute(): void {
    const sorted = this.samples.slice(0, this.size).sort();
    const rank = Math.min(this.size - 1, Math.ceil((this.percentile / 100) * this.size) - 1);
    this.cached = sorted[Math.max(0, rank)] ?? Number.NaN;
    this.sinceCompute = 0;
  }
}

/** One attempt of a hedged read: runs against a replica, aborting when `signal` aborts. */
export type HedgeAttempt<T> = (signal: AbortSignal) => Promise<T>;

/**
 * Starts `primary`; if it has not settled after `delayMs`, starts `backup` as well. Resolves with
 * the first success and aborts the other attempt; rejects when the primary fails before the hedge
 * starts, or when every started attempt failed (with the primary's error).
 *
 * @param parent - The operation's deadline signal; aborting it aborts both attempts.
 * @param onHedge - Called when the backup is started.
 */
export function hedged<T>(
  primary: HedgeAttempt<T>,
  backup: HedgeAttempt<T>,
  delayMs: number,
  parent: AbortSignal,
  onHedge: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const first = new AbortController();
    let second: AbortController | undefined;
    let pending = 1;
    let firstError: unknown;
    let settled = false;
    const onParentAbort = (): void => {
      first.abort(parent.reason);
      second?.abort(parent.reason);
    };
    parent.addEventListener('abort', onParentAbort, { once: true });
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    };
    const win = (value: T, loser: AbortController | undefined): void => {
      if (settled) return;
      finish();
      loser?.abort(new Error('hedged request lost the race'));
      resolve(value);
    };
    const lose = (error: unknown, isFirst: boolean): void => {
      if (settled) return;
      if (isFirst) firstError = error;
      if (--pending > 0) return;
      finish();
      reject(asError(firstError ?? error));
    };
    const timer = setTimeout(() => {
      if (settled) return;
      second = new AbortController();
      pending++;
      onHedge();
      backup(second.signal).then(
        (value) => {
          win(value, first);
        },
        (error: unknown) => {
          lose(error, false);
        },
      );
    }, delayMs);
    primary(first.signal).then(
      (value) => {
        win(value, second);
      },
      (error: unknown) => {
        // Before the hedge has started, a failure goes straight back to the retry loop.
        if (second === undefined && !settled) {
          finish();
          reject(asError(error));
          return;
        }
        lose(error, true);
      },
    );
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error), { cause: error });
}
