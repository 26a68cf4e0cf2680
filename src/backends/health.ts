/**
 * A health probe's answer, timed: what every networked adapter's `health()` returns around its
 * own probe request.
 *
 * @module
 */
import { messageOf } from '../core/errors.js';
import type { HealthStatus } from './backend.js';

/**
 * Runs a probe and times it. A failed probe is `ok: false` with the error's message as detail,
 * unless the call's signal aborted: then the abort is the caller's answer and is thrown.
 *
 * @param signal - The call's signal, if any.
 * @param probe - Sends the probe; resolves `undefined` when healthy, or a detail saying why not.
 * @returns `ok` and the probe's round-trip time, with a detail when not ok.
 * @throws What the probe threw, when `signal` has aborted.
 *
 * @example
 * ```ts
 * const status = await timedProbe(options?.signal, async () => {
 *   await http.probe(meta, options?.signal);
 *   return undefined;
 * });
 * ```
 */
export async function timedProbe(
  signal: AbortSignal | undefined,
  probe: () => Promise<string | undefined>,
): Promise<HealthStatus> {
  const started = performance.now();
  try {
    const detail = await probe();
    if (detail !== undefined) return { ok: false, latencyMs: performance.now() - started, detail };
    return { ok: true, latencyMs: performance.now() - started };
  } catch (err) {
    if (signal?.aborted === true) throw err;
    const detail = messageOf(err);
    return { ok: false, latencyMs: performance.now() - started, detail };
  }
}
