/**
 * Per-attempt timeouts: one read from one replica may take at most a multiple of that
 * replica's usual read latency (within bounds, and never past the operation's deadline); one
 * write at most the upper bound, since a write's cost grows with its batch. A replica that hangs
 * then fails the attempt quickly, with a retryable `TimeoutError` that counts against its
 * breaker, so that reads move to another replica and the breaker learns of the hang.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../core/errors.js';
import { optionInteger, optionObject, rejectUnknownKeys } from '../core/options.js';

/** Per-attempt timeout settings; `false` turns them off (attempts then run to the deadline). */
export interface AttemptTimeoutOptions {
  /**
   * The timeout is this multiple of the replica's usual latency (an average of its successful
   * calls), a finite number >= 1.
   * @default 10
   */
  multiplier?: number;
  /**
   * Lower bound in milliseconds, so that a fast replica is not cut off by ordinary jitter (a
   * garbage collection, an fsync), an integer >= 1.
   * @default 250
   */
  minMs?: number;
  /**
   * Upper bound in milliseconds: the timeout of every write attempt, and of a read from a
   * replica that has not answered a read yet; an integer >= `minMs`.
   * @default 5000
   */
  maxMs?: number;
}

/** Resolved per-attempt timeout settings. */
export interface ResolvedAttemptTimeoutOptions {
  /** Multiple of the usual read latency. */
  readonly multiplier: number;
  /** Lower bound in milliseconds. */
  readonly minMs: number;
  /** Upper bound in milliseconds; the timeout of writes. */
  readonly maxMs: number;
}

const KEYS = ['multiplier', 'minMs', 'maxMs'];

/**
 * Validates per-attempt timeout options. `undefined` gives the defaults, `false` turns them off.
 *
 * @returns The resolved settings, or `undefined` when off.
 * @throws {@link InvalidOptionError} naming the bad option.
 * @example
 * ```ts
 * resolveAttemptTimeoutOptions({ minMs: 100 }); // { multiplier: 10, minMs: 100, maxMs: 5000 }
 * ```
 */
export function resolveAttemptTimeoutOptions(
  input: unknown,
): ResolvedAttemptTimeoutOptions | undefined {
  if (input === false) return undefined;
  const raw = optionObject(input ?? {}, 'attemptTimeout');
  rejectUnknownKeys(raw, 'attemptTimeout', KEYS);
  const multiplier = raw['multiplier'] ?? 10;
  if (typeof multiplier !== 'number' || !Number.isFinite(multiplier) || multiplier < 1) {
    throw new InvalidOptionError(
      `\`attemptTimeout.multiplier\` must be a finite number >= 1, received ${describeValue(multiplier)}`,
    );
  }
  const minMs = optionInteger(raw['minMs'], 'attemptTimeout.minMs', 250, 1, 2_147_483_647);
  const maxMs = optionInteger(
    raw['maxMs'],
    'attemptTimeout.maxMs',
    Math.max(5000, minMs),
    minMs,
    2_147_483_647,
  );
  return Object.freeze({ multiplier, minMs, maxMs });
}

/**
 * The timeout of one attempt: `multiplier` x the replica's usual latency, within
 * `[minMs, maxMs]` (`maxMs` when the latency is not known yet).
 *
 * @param usualMs - The replica's usual latency in milliseconds; 0 when unknown.
 * @example
 * ```ts
 * attemptTimeoutMs({ multiplier: 10, minMs: 250, maxMs: 5000 }, 40); // 400
 * ```
 */
export function attemptTimeoutMs(settings: ResolvedAttemptTimeoutOptions, usualMs: number): number {
  if (!(usualMs > 0)) return settings.maxMs;
  return Math.min(settings.maxMs, Math.max(settings.minMs, usualMs * settings.multiplier));
}
