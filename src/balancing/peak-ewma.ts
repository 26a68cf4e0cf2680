/**
 * The peak-sensitive latency estimator behind `p2c-ewma`, after Finagle's `PeakEwma` (also
 * Linkerd's and tower's).
 *
 * @module
 */
import { InvalidArgumentError, InvalidOptionError, describeValue } from '../core/errors.js';

/**
 * The default time constant of {@link PeakEwma}, in milliseconds (Finagle's and Linkerd's
 * default decay time).
 */
export const DEFAULT_DECAY_MS = 10_000;

/** Options of {@link PeakEwma}. */
export interface PeakEwmaOptions {
  /**
   * The time constant tau, in milliseconds, a finite number > 0: the older part of the estimate
   * keeps a weight of `exp(-elapsed / tau)`, so it falls to 37% after tau and to half after
   * `tau * ln 2` (about 6.9 s by default). Longer remembers slowness longer.
   * @default 10_000
   */
  decayMs?: number;
}

/**
 * A latency estimate that reacts to a slow answer at once and recovers only gradually: an
 * exponentially weighted moving average over irregularly spaced samples, except that a sample
 * above the estimate replaces it outright ("peak" EWMA). Feed it every completed request's
 * latency; read it as {@link ReplicaView.latencyMs}. It reads no clock: the caller passes the
 * time (any monotonic milliseconds, e.g. `performance.now()`).
 *
 * The formula, with `e` the stored estimate, `t0` the time it was stored and `tau` =
 * {@link PeakEwmaOptions.decayMs}:
 *
 * - `observe(rtt, t)`: with `w = exp(-(t - t0) / tau)`, `e = rtt` when `rtt > e`, otherwise
 *   `e = e * w + rtt * (1 - w)`; then `t0 = t`. The weight of the old estimate depends on the
 *   time since the last sample, not on the number of samples, because samples arrive unevenly.
 * - `value(t) = e * exp(-(t - t0) / tau)`: between samples the estimate decays toward 0, which is
 *   what Finagle's `load` does by observing a zero latency on every read. A replica that was
 *   slow and then left alone therefore looks fast again after a few tau and gets tried again,
 *   instead of staying shunned on old evidence.
 * - Before the first sample both are 0 ("unknown").
 *
 * One deviation from Finagle, on purpose: reading does not change the state. Finagle's `load`
 * folds the decay into the stored estimate on every read, which makes the estimate depend on
 * how often the balancer happens to look at it; here it depends only on the samples and the
 * time. Elapsed time is clamped at 0, so a time earlier than the last sample neither raises nor
 * lowers the estimate.
 *
 * @example
 * ```ts
 * const ewma = new PeakEwma({ decayMs: 10_000 });
 * ewma.value(0); // 0: unknown
 * ewma.observe(5, 0); // 5
 * ewma.observe(80, 100); // 80: a peak replaces the estimate at once
 * ewma.value(10_100); // 80 * exp(-1), about 29.4
 * ```
 */
export class PeakEwma {
  /** The time constant tau, in milliseconds. */
  readonly decayMs: number;
  #estimate = 0;
  #stampMs = -Infinity;

  /**
   * @param options - The time constant.
   * @throws {@link InvalidOptionError} when `decayMs` is not a finite number > 0.
   */
  constructor(options: PeakEwmaOptions = {}) {
    // `=== undefined` rather than `??`: an explicit null is a mistake to report, not a default.
    const decayMs: unknown = options.decayMs === undefined ? DEFAULT_DECAY_MS : options.decayMs;
    if (typeof decayMs !== 'number' || !Number.isFinite(decayMs) || decayMs <= 0) {
      throw new InvalidOptionError(
        `\`decayMs\` must be a finite number > 0, received ${describeValue(options.decayMs)}`,
      );
    }
    this.decayMs = decayMs;
  }

  /**
   * Records one request's latency.
   *
   * @param latencyMs - The latency, in milliseconds; a negative value (a clock step) counts as 0.
   * @param nowMs - When the request completed, on the same clock as every other call.
   * @throws {@link InvalidArgumentError} when `latencyMs` or `nowMs` is not a finite number.
   */
  observe(latencyMs: number, nowMs: number): void {
    if (!Number.isFinite(latencyMs) || !Number.isFinite(nowMs)) {
      // A NaN would stick in the estimate forever, so refuse it where it comes in.
      throw new InvalidArgumentError(
        `PeakEwma.observe needs finite numbers, received latencyMs ${describeValue(latencyMs)} and nowMs ${describeValue(nowMs)}`,
      );
    }
    const rtt = Math.max(latencyMs, 0);
    if (rtt > this.#estimate) {
      this.#estimate = rtt;
    } else {
      const w = this.#weight(nowMs);
      this.#estimate = this.#estimate * w + rtt * (1 - w);
    }
    this.#stampMs = Math.max(this.#stampMs, nowMs);
  }

  /**
   * The estimate at `nowMs`, in milliseconds: the stored estimate decayed toward 0 for the time
   * since the last sample. Does not change the state.
   *
   * @param nowMs - The current time, on the same clock as {@link PeakEwma.observe}.
   * @returns 0 before any sample (unknown); otherwise a number > 0 unless every sample was 0.
   */
  value(nowMs: number): number {
    return this.#estimate === 0 ? 0 : this.#estimate * this.#weight(nowMs);
  }

  /** `exp(-elapsed / tau)`, with elapsed time since the last sample clamped at 0. */
  #weight(nowMs: number): number {
    const elapsed = nowMs - this.#stampMs;
    return elapsed > 0 ? Math.exp(-elapsed / this.decayMs) : 1;
  }
}
