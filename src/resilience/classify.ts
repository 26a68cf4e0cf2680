/**
 * The one place that decides what an error means for the mesh: whether trying again may help,
 * and whether it says something about the health of the replica that raised it. The retry loop
 * asks {@link classify}`(err).retryable`; the circuit breaker's error filter asks
 * `.replicaFault`.
 *
 * Reading the error itself (vecmesh errors, Node and undici codes, HTTP statuses, gRPC codes,
 * error names, nested causes) is core's `readError()`, so that adapters can normalise errors
 * with `toVecmeshError()` without depending on this layer. Anything nothing recognises is
 * `unknown`: not retryable, not a replica fault.
 *
 * @module
 */
import { kindOfVecmeshError, type ErrorKind } from '../core/error-kind.js';
import { VecmeshError } from '../core/errors.js';
import { readError } from '../core/native-errors.js';

// One import for the mesh and the package index: what an error means, and how to normalise it.
export type { ErrorKind } from '../core/error-kind.js';
export { toVecmeshError } from '../core/native-errors.js';

/** The verdict on one error. The objects are frozen and shared: compare fields, not identity. */
export interface Classification {
  /** What the error means. */
  readonly kind: ErrorKind;
  /** Whether the same request may succeed if tried again, on the same or another replica. */
  readonly retryable: boolean;
  /**
   * Whether the error says the replica is unhealthy, so that it counts towards opening the
   * replica's breaker: `unavailable`, `timeout`, `rate-limited` (an overloaded replica is shed
   * until it recovers) and retryable `backend` errors (5xx-like). Caller mistakes (`invalid`,
   * `not-found`, `conflict`), caller aborts, `closed`, `unknown`, and the mesh's own aggregate
   * errors (`ShardUnavailableError`, `PartialWriteError`) never count.
   */
  readonly replicaFault: boolean;
}

const KINDS: readonly ErrorKind[] = [
  'unavailable',
  'timeout',
  'rate-limited',
  'aborted',
  'invalid',
  'not-found',
  'conflict',
  'closed',
  'backend',
  'unknown',
];

// Every (kind, retryable, replicaFault) combination, frozen once, so that classifying allocates
// nothing. Index: retryable + 2 * replicaFault.
const TABLE = new Map<ErrorKind, readonly Classification[]>(
  KINDS.map((kind) => [
    kind,
    Object.freeze(
      [0, 1, 2, 3].map((i) =>
        Object.freeze({ kind, retryable: (i & 1) === 1, replicaFault: (i & 2) === 2 }),
      ),
    ),
  ]),
);

function verdict(kind: ErrorKind, retryable: boolean, replicaFault: boolean): Classification {
  return (TABLE.get(kind) as readonly Classification[])[
    (retryable ? 1 : 0) + (replicaFault ? 2 : 0)
  ] as Classification;
}

/** Whether an error of this kind from one replica speaks about that replica's health. */
function faultOf(kind: ErrorKind, retryable: boolean): boolean {
  return (
    kind === 'unavailable' ||
    kind === 'timeout' ||
    kind === 'rate-limited' ||
    (kind === 'backend' && retryable)
  );
}

const UNKNOWN = verdict('unknown', false, false);

// An aggregate error is raised by the mesh about many replicas, never by one: it counts against
// none.
function classifyVecmesh(error: VecmeshError): Classification {
  const r = kindOfVecmeshError(error);
  if (r === undefined) return verdict('unknown', error.retryable, false);
  return verdict(r.kind, error.retryable, !r.aggregate && faultOf(r.kind, error.retryable));
}

/**
 * Decides what an error means.
 *
 * @param error - Anything thrown or rejected.
 * @returns A frozen, shared {@link Classification}; never throws.
 *
 * @example
 * ```ts
 * classify(new UnavailableError('down'));                       // unavailable, retryable, replicaFault
 * classify(Object.assign(new Error('x'), { code: 'ECONNRESET' })); // unavailable, retryable, replicaFault
 * classify(new TypeError('fetch failed', { cause: refused }));  // whatever `refused` is
 * classify({ status: 429 });                                    // rate-limited, retryable, replicaFault
 * classify(new InvalidFilterError('bad'));                      // invalid, not retryable, no fault
 * ```
 */
export function classify(error: unknown): Classification {
  // The hot path: adapters throw VecmeshErrors; no allocation here.
  if (error instanceof VecmeshError) return classifyVecmesh(error);
  const found = readError(error);
  if (found === undefined) return UNKNOWN;
  // A vecmesh error nested in a cause keeps its own verdict (an aggregate stays faultless).
  if (found.source instanceof VecmeshError) return classifyVecmesh(found.source);
  return verdict(found.kind, found.retryable, faultOf(found.kind, found.retryable));
}
