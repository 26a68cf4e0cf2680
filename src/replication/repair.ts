/**
 * Anti-entropy by id set: makes the replicas of a shard hold the same ids, by scanning every
 * replica's ids and copying to each what it lacks from one that has it. The way back for a
 * replica whose hints overflowed (architecture §5): nothing acknowledged is lost, it is repaired.
 *
 * @module
 */
import { AbortedError, TimeoutError, VecmeshError, type ErrorMeta } from '../core/errors.js';
import { idKey, parseIdKey } from '../core/ids.js';
import { resolveRepairOptions, type RepairOptions } from '../core/maintenance-options.js';
import type { PointId } from '../core/types.js';
import { toVecmeshError } from '../core/native-errors.js';
import type { Replica, Shard } from '../backends/backend-topology.js';
import { copyBatch, scanIds, upsertTo, type ReplicaRuntimes } from './replica-io.js';

/** What the repair did to one replica. */
export interface ReplicaRepairReport {
  /** The replica's id, `cluster/shard/name`. */
  readonly replica: string;
  /** Ids it held when scanned. */
  readonly had: number;
  /** Ids of the union it lacked. */
  readonly missing: number;
  /** Points copied to it (fewer than `missing` when some were deleted meanwhile). */
  readonly copied: number;
}

/** What the repair of one shard did. */
export interface ShardRepairReport {
  /** The shard's cluster. */
  readonly cluster: string;
  /** The shard's name. */
  readonly shard: string;
  /** Distinct ids over all its replicas. */
  readonly union: number;
  /** One report per replica, in shard order. */
  readonly replicas: readonly ReplicaRepairReport[];
}

/** One replica's scanned id set. */
interface ScannedReplica {
  readonly replica: Replica;
  readonly keys: ReadonlySet<string>;
}

/**
 * Makes the replicas of one shard converge on the union of their ids.
 *
 * 1. Scans every replica's ids (`scanIds`, page by page, all replicas in parallel) into a set
 *    of id keys.
 * 2. For each replica, the ids of the union it lacks.
 * 3. Copies them: reads the points (`get` with vectors) in batches from the first replica in
 *    shard order that has them and upserts them, in batches, to the replica lacking them. An id
 *    whose `get` comes back empty (deleted meanwhile) is skipped.
 *
 * Every call goes through the replica's runtime (`replication/replica-io`): a replica whose
 * breaker is open fails the repair of its shard at once, as for any other request.
 *
 * Memory: O(ids in the shard): one id key string per id per replica (a shard of 10 million ids
 * on 3 replicas holds 30 million short strings), plus one batch of points at a time.
 *
 * Known limitations:
 * - No tombstones: a delete that a replica missed while its hints were discarded is UNDONE by
 *   the repair (the point is still on another replica, so it is copied back). Delete such ids
 *   again after the repair.
 * - Only ids are compared: the same id with different vectors or payloads on two replicas is
 *   left as it is.
 * - A point written while the repair runs may be overwritten on a lacking replica by the copy
 *   read just before the write; repair when writes are quiet, or write such ids again.
 *
 * @param runtimes - The replicas' runtimes (breaker, latency, metrics).
 * @param shard - The shard whose replicas to repair.
 * @param collection - The logical collection name (mapped through each replica's namespace).
 * @param options - Page and batch sizes, abort signal (see `RepairOptions`; checked by
 *   `resolveRepairOptions`, which also accepts what it returned).
 * @default options.pageSize 1000
 * @default options.batchSize 500
 * @returns What each replica had, lacked and received.
 * @throws `InvalidOptionError` when an option is invalid.
 * @throws the first backend error (a replica that cannot be scanned, read or written fails the
 *   whole shard, never skipped silently), tagged with `meta` `cluster`, `shard`, `replica`,
 *   `backend` and `operation` (`repair.scanIds`, `repair.get`, `repair.upsert`);
 *   `UnavailableError` for a replica behind an open breaker.
 * @throws {@link AbortedError} (or {@link TimeoutError}, for a timeout reason) when `signal` aborts.
 * @example
 * ```ts
 * const report = await repairShard(registry, topology.clusters[0].shards[0], 'docs', { pageSize: 500 });
 * for (const r of report.replicas) logger.info(`${r.replica}: copied ${r.copied} of ${r.missing}`);
 * ```
 */
export async function repairShard(
  runtimes: ReplicaRuntimes,
  shard: Shard,
  collection: string,
  options: RepairOptions = {},
): Promise<ShardRepairReport> {
  const { pageSize, batchSize, signal } = resolveRepairOptions(options);
  checkSignal(signal, shard);

  // Scans run in parallel; the first failure stops the others.
  const stop = new AbortController();
  const onAbort = (): void => {
    stop.abort(signal?.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let scanned: ScannedReplica[];
  try {
    scanned = await Promise.all(
      shard.replicas.map(async (replica) => {
        try {
          const keys = new Set<string>();
          const pages = scanIds(runtimes, replica, collection, {
            limit: pageSize,
            signal: stop.signal,
            operation: 'repair.scanIds',
          });
          for await (const page of pages) {
            for (const id of page.ids) keys.add(idKey(id));
            if (stop.signal.aborted) throw abortError(signal, replica);
          }
          return { replica, keys };
        } catch (err) {
          const tagged = tag(err, replica, 'repair.scanIds', signal);
          stop.abort(tagged);
          throw tagged;
        }
      }),
    );
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }

  const union = new Set<string>();
  for (const s of scanned) for (const key of s.keys) union.add(key);

  const reports: ReplicaRepairReport[] = [];
  for (const target of scanned) {
    // Group what the target lacks by its source: the first replica in shard order that has it.
    const bySource = new Map<ScannedReplica, PointId[]>();
    let missing = 0;
    for (const key of union) {
      if (target.keys.has(key)) continue;
      missing++;
      const source = scanned.find((s) => s.keys.has(key)) as ScannedReplica;
      let ids = bySource.get(source);
      if (ids === undefined) bySource.set(source, (ids = []));
      ids.push(parseIdKey(key) as PointId);
    }
    let copied = 0;
    for (const [source, ids] of bySource) {
      copied += await copyPoints(runtimes, source.replica, target.replica, collection, ids, {
        batchSize,
        signal,
        shard,
      });
    }
    reports.push(
      Object.freeze({ replica: target.replica.id, had: target.keys.size, missing, copied }),
    );
  }
  return Object.freeze({
    cluster: shard.cluster,
    shard: shard.name,
    union: union.size,
    replicas: Object.freeze(reports),
  });
}

/** Copies `ids` from `source` to `target` in batches; answers how many points were copied. */
async function copyPoints(
  runtimes: ReplicaRuntimes,
  source: Replica,
  target: Replica,
  collection: string,
  ids: readonly PointId[],
  run: { batchSize: number; signal: AbortSignal | undefined; shard: Shard },
): Promise<number> {
  const size = Math.min(
    run.batchSize,
    source.backend.capabilities.maxPointsPerRequest,
    target.backend.capabilities.maxPointsPerRequest,
  );
  const write = upsertTo(runtimes, [target], collection, 'repair', run.signal);
  let copied = 0;
  for (let i = 0; i < ids.length; i += size) {
    checkSignal(run.signal, run.shard);
    try {
      copied += await copyBatch(runtimes, {
        collection,
        ids: ids.slice(i, i + size),
        source,
        write: async (points) => {
          checkSignal(run.signal, run.shard);
          return write(points);
        },
        signal: run.signal,
        operation: 'repair',
      });
    } catch (err) {
      throw tag(err, source, 'repair', run.signal);
    }
  }
  return copied;
}

function shardMeta(shard: Shard): ErrorMeta {
  return { cluster: shard.cluster, shard: shard.name, operation: 'repair' };
}

function checkSignal(signal: AbortSignal | undefined, shard: Shard): void {
  if (signal?.aborted === true) throw abortError(signal, shard.primary, shardMeta(shard));
}

function abortError(
  signal: AbortSignal | undefined,
  replica: Replica,
  meta: ErrorMeta = replicaMeta(replica, 'repair'),
): VecmeshError {
  const reason: unknown = signal?.reason;
  const what = `the repair of shard \`${replica.shardId}\``;
  if (reason instanceof TimeoutError) return reason.withMeta(meta);
  if (reason instanceof DOMException && reason.name === 'TimeoutError') {
    return new TimeoutError(`${what} timed out`, { cause: reason, meta });
  }
  return new AbortedError(`${what} was aborted`, { cause: reason, meta });
}

function replicaMeta(replica: Replica, operation: string): ErrorMeta {
  return {
    cluster: replica.cluster,
    shard: replica.shard,
    replica: replica.id,
    backend: `${replica.backend.kind} ${replica.backend.endpoint}`,
    operation,
  };
}

/**
 * The caller's abort wins over what it caused (an adapter's own abort error); anything else
 * comes from the replica I/O layer, already tagged with its replica and step.
 */
function tag(
  error: unknown,
  replica: Replica,
  operation: string,
  callerSignal: AbortSignal | undefined,
): VecmeshError {
  if (callerSignal?.aborted === true && !(error instanceof AbortedError)) {
    return abortError(callerSignal, replica, replicaMeta(replica, operation));
  }
  return toVecmeshError(error).withMeta(replicaMeta(replica, operation));
}
