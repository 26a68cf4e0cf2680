/**
 * Replica I/O for the background work that moves points between replicas (repair, replica fill,
 * migration, cleanup): one way to call one replica, one id scan, one get-then-write copy. Each
 * call goes through the replica's runtime, so that it feeds and respects the replica's breaker,
 * counts in flight for balancing and shows in the metrics like any request of the client; and a
 * failure names the replica and the step that failed.
 *
 * @module
 */
import { BackendError, VecmeshError } from '../core/errors.js';
import { idKey } from '../core/ids.js';
import type { Point, PointId } from '../core/types.js';
import { toVecmeshError } from '../core/native-errors.js';
import { physicalCollectionName } from '../topology/topology.js';
import type { Replica } from '../backends/backend-topology.js';
import type { ReplicaRuntime } from './replica-runtime.js';
import type { ResolvedAttemptTimeoutOptions } from '../resilience/attempt-timeout.js';

/** Where replica calls go through: each replica's runtime (the `RuntimeRegistry` is one). */
export interface ReplicaRuntimes {
  /** The runtime of a replica the mesh tracks. */
  runtime(replica: Replica): ReplicaRuntime;
  /**
   * Bounds each call: it fails with a retryable `TimeoutError` after `maxMs`, so that a repair,
   * a fill or a migration never waits without bound on a replica that hangs.
   * @default undefined (no bound but the backend's own)
   */
  readonly attemptTimeout?: ResolvedAttemptTimeoutOptions | undefined;
}

/** The signal of maintenance calls, which have no deadline of their own. */
const NEVER = new AbortController().signal;

/**
 * A lock on ids that a copy holds while it reads and writes them (the reshard copy gate is one),
 * so that a copy never overwrites a newer live write.
 */
export interface ExclusiveGate {
  /** Runs `body` while holding `keys` (id keys) exclusively. */
  exclusive<T>(keys: readonly string[], body: () => Promise<T>): Promise<T>;
}

/** The per-call options a backend method takes. */
type CallOptions = { signal?: AbortSignal };

/**
 * Runs one backend call on `replica` through its runtime (breaker, in-flight count, latency,
 * metrics). A failure is a `VecmeshError` carrying the replica's `cluster`, `shard`, `replica`,
 * `backend` and `operation` (what the error already said wins).
 *
 * @param runtimes - Where the replica's runtime is found.
 * @param replica - The replica to call.
 * @param operation - Names the step in errors, e.g. `repair.get`.
 * @param body - The backend call.
 * @returns What `body` resolves to.
 * @throws the failure of `body`, tagged; `UnavailableError` when the replica's breaker is open.
 * @example
 * ```ts
 * const n = await callReplica(registry, replica, 'count', () => replica.backend.count('docs'));
 * ```
 */
export async function callReplica<T>(
  runtimes: ReplicaRuntimes,
  replica: Replica,
  operation: string,
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await runtimes
      .runtime(replica)
      .attempt(body, NEVER, runtimes.attemptTimeout, operation, 'write');
  } catch (error) {
    const base =
      error instanceof VecmeshError
        ? error
        : toVecmeshError(error, `${replica.backend.kind} backend`);
    throw base.withMeta({
      backend: `${replica.backend.kind} ${replica.backend.endpoint}`,
      cluster: replica.cluster,
      shard: replica.shard,
      replica: replica.id,
      operation,
    });
  }
}

/** One page of an id scan. */
export interface IdPage {
  /** The ids of this page (possibly none, with more to come). */
  readonly ids: readonly PointId[];
  /** Where the next page starts; `undefined` after the last page. */
  readonly nextCursor: string | undefined;
}

/** Options of {@link scanIds}. */
export interface ScanOptions {
  /** Ids asked for per page (lowered to the backend's `maxPointsPerRequest`). */
  readonly limit: number;
  /** Resumes after this cursor (one the same replica gave). @default the start */
  readonly cursor?: string | undefined;
  /** Passed to every backend call. */
  readonly signal?: AbortSignal | undefined;
  /** Names the step in errors. @default 'scanIds' */
  readonly operation?: string;
}

/**
 * Every id of `replica`'s copy of `collection`, page by page. A backend that hands back the
 * cursor it was given would loop forever: that ends the scan with a `BackendError`.
 *
 * @param collection - The logical collection name (mapped through the replica's namespace).
 * @throws the first failed page, tagged (see {@link callReplica}); `BackendError` for a
 *   cursor that does not advance.
 * @example
 * ```ts
 * for await (const page of scanIds(registry, replica, 'docs', { limit: 1000 })) ids.push(...page.ids);
 * ```
 */
export async function* scanIds(
  runtimes: ReplicaRuntimes,
  replica: Replica,
  collection: string,
  options: ScanOptions,
): AsyncGenerator<IdPage, void, undefined> {
  const backend = replica.backend;
  const operation = options.operation ?? 'scanIds';
  const limit = Math.min(options.limit, backend.capabilities.maxPointsPerRequest);
  const name = physicalCollectionName(collection, replica);
  let cursor = options.cursor;
  do {
    const from = cursor;
    const page = await callReplica(runtimes, replica, operation, () =>
      backend.scanIds(
        name,
        from === undefined ? { limit } : { cursor: from, limit },
        callOptions(options.signal),
      ),
    );
    if (page.nextCursor !== undefined && page.nextCursor === from) {
      throw new BackendError(
        `\`scanIds\` of \`${collection}\` on ${backend.kind} ${backend.endpoint} returned the cursor it was given; the scan would never end`,
        { meta: { backend: backend.endpoint, operation, replica: replica.id } },
      );
    }
    cursor = page.nextCursor;
    yield { ids: page.ids, nextCursor: cursor };
  } while (cursor !== undefined);
}

/** One batch to copy: read from a source replica, then written by `write`. */
export interface CopyBatch {
  /** The logical collection name. */
  readonly collection: string;
  /** The ids to copy. */
  readonly ids: readonly PointId[];
  /**
   * The replica to read from, or how to choose it once the gate is held (a copy that must read
   * the newest value picks a caught-up replica inside the gate).
   */
  readonly source: Replica | (() => Promise<Replica>);
  /** Writes the points read (those still there, with their vectors); answers how many it wrote. */
  readonly write: (points: Point[]) => Promise<number>;
  /** Held around the read and the write, on the batch's ids. @default no gate */
  readonly gate?: ExclusiveGate | undefined;
  /** Passed to the backend calls. */
  readonly signal?: AbortSignal | undefined;
  /** Prefix of the steps named in errors: `<operation>.get`. */
  readonly operation: string;
}

/**
 * Copies one batch: reads the points (with vectors) from the source and hands those still there
 * to `write`, all inside the gate when there is one. An id deleted since it was listed is
 * skipped.
 *
 * @returns What `write` answered (0 when nothing was left to write).
 * @throws the source's failure (tagged `<operation>.get`) or the write's.
 * @example
 * ```ts
 * const copied = await copyBatch(registry, { collection: 'docs', ids, source, operation: 'repair',
 *   write: upsertTo(registry, [target], 'docs', 'repair') });
 * ```
 */
export async function copyBatch(runtimes: ReplicaRuntimes, batch: CopyBatch): Promise<number> {
  const run = async (): Promise<number> => {
    const source = typeof batch.source === 'function' ? await batch.source() : batch.source;
    const points = await callReplica(runtimes, source, `${batch.operation}.get`, () =>
      source.backend.get(
        physicalCollectionName(batch.collection, source),
        batch.ids,
        { includeVector: true },
        callOptions(batch.signal),
      ),
    );
    // Deleted since the scan: nothing to copy. A point without its vector cannot be written.
    const writable = points.flatMap((p) =>
      p.vector === undefined ? [] : [{ id: p.id, vector: p.vector, payload: p.payload }],
    );
    return writable.length === 0 ? 0 : batch.write(writable);
  };
  if (batch.gate === undefined) return run();
  return batch.gate.exclusive(batch.ids.map(idKey), run);
}

/**
 * A `write` for {@link copyBatch} that upserts to every target replica in parallel, each through
 * its runtime; it answers the points written (once, not per target).
 *
 * @throws the first target's failure, tagged `<operation>.upsert`.
 * @example
 * ```ts
 * const write = upsertTo(registry, task.targets, 'docs', 'fill');
 * ```
 */
export function upsertTo(
  runtimes: ReplicaRuntimes,
  targets: readonly Replica[],
  collection: string,
  operation: string,
  signal?: AbortSignal,
): (points: Point[]) => Promise<number> {
  return async (points) => {
    await Promise.all(
      targets.map((target) =>
        callReplica(runtimes, target, `${operation}.upsert`, () =>
          target.backend.upsert(
            physicalCollectionName(collection, target),
            points,
            callOptions(signal),
          ),
        ),
      ),
    );
    return points.length;
  };
}

function callOptions(signal: AbortSignal | undefined): CallOptions {
  return signal === undefined ? {} : { signal };
}
