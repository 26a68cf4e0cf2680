/**
 * The write path: route validated items to shards in the clusters that take writes, split each
 * shard's items into chunks that fit the backends' limits, send the chunks in parallel under a
 * concurrency limit, hand off what a replica missed as hints, and report exactly which ids were
 * not acknowledged.
 *
 * @module
 */
import { settleWithLimit } from '../core/concurrency.js';
import {
  PartialWriteError,
  UnavailableError,
  VecmeshError,
  type PointFailure,
} from '../core/errors.js';
import { idKey } from '../core/ids.js';
import type { Deadline } from '../resilience/deadline.js';
import type { Cluster, Replica, Shard } from '../backends/backend-topology.js';
import type { MeshContext } from './context.js';
import type { HintInput } from '../replication/hints/hint-store.js';
import type { WriteConsistency } from './options.js';
import type { OperationSpan } from '../tracing/mesh-tracer.js';
import type { PreparedItem } from './prepare-batch.js';
import { requiredAcks, tagError } from '../replication/replica-call.js';

/** What a successful write reports. */
export interface WriteResult {
  /** Ids acknowledged (all of the batch, or the call would have thrown). */
  readonly acknowledged: number;
  /** Requests sent to replicas, counting one per chunk and replica written directly. */
  readonly requests: number;
  /** Chunk copies handed off as hints to replicas that missed them (replayed later). */
  readonly handedOff: number;
}

/** How a write reaches a replica and how it is kept as a hint. */
export interface WriteOperation<T> {
  /** `upsert` or `delete`. */
  readonly name: 'upsert' | 'delete';
  /** Sends one chunk to one replica. */
  send(replica: Replica, physicalName: string, values: T[], signal: AbortSignal): Promise<void>;
  /** The hint that replays the chunk. */
  hint(physicalName: string, values: T[]): HintInput;
}

/** One request's worth of items for one shard. */
interface Chunk<T> {
  readonly shard: Shard;
  readonly items: readonly PreparedItem<T>[];
}

/** How one chunk ended in its cluster. */
type ChunkOutcome =
  | { readonly status: 'acknowledged' }
  | { readonly status: 'handed-off' }
  | { readonly status: 'failed'; readonly error: VecmeshError };

/**
 * Routes, chunks and sends a validated batch.
 *
 * An id is acknowledged when, in at least one cluster, every chunk that carried it reached the
 * consistency level, and in every other written cluster it was either acknowledged too or handed
 * off as hints to each replica that missed it (`mirror`). Replicas that missed an acknowledged
 * chunk get a hint, so that nothing acknowledged is lost on them.
 *
 * @throws {@link PartialWriteError} listing each id that was not acknowledged, with its reason.
 */
export async function runWrite<T>(
  ctx: MeshContext,
  collection: string,
  items: readonly PreparedItem<T>[],
  consistency: WriteConsistency,
  deadline: Deadline,
  operation: WriteOperation<T>,
  span?: OperationSpan,
): Promise<WriteResult> {
  const counters = { requests: 0, handedOff: 0 };
  if (items.length === 0) return { acknowledged: 0, ...counters };
  const clusters = writeClusters(ctx);
  const chunks = clusters.flatMap((cluster) => planChunks(ctx, cluster, items));
  const outcomes = await settleWithLimit(chunks, ctx.options.batch.concurrency, (chunk) => {
    const write = () =>
      writeChunk(ctx, collection, chunk, consistency, deadline, operation, counters);
    return span === undefined
      ? write()
      : span.shard({ cluster: chunk.shard.cluster, shard: chunk.shard.name }, write);
  });

  // Per id: acknowledged somewhere, and failed nowhere.
  const acknowledged = new Set<string>();
  const failed = new Map<string, PointFailure>();
  outcomes.forEach((settled, i) => {
    const chunk = chunks[i] as Chunk<T>;
    const outcome: ChunkOutcome = settled.ok
      ? settled.value
      : {
          status: 'failed',
          error: tagError(settled.error, chunk.shard.primary, operation.name, deadline),
        };
    for (const item of chunk.items) {
      const key = idKey(item.id);
      if (outcome.status === 'acknowledged') acknowledged.add(key);
      else if (outcome.status === 'failed' && !failed.has(key)) {
        failed.set(key, { id: item.id, error: outcome.error });
      }
    }
  });
  const failures: PointFailure[] = [];
  for (const item of items) {
    const key = idKey(item.id);
    const failure = failed.get(key);
    if (failure) failures.push(failure);
    else if (!acknowledged.has(key)) {
      failures.push({
        id: item.id,
        error: new UnavailableError(
          'no cluster acknowledged it; it was handed off as hints to the replicas that missed it',
        ),
      });
    }
  }
  if (failures.length > 0) {
    const first = failures[0] as PointFailure;
    throw new PartialWriteError(
      `\`${operation.name}\` on \`${collection}\`: ${failures.length} of ${items.length} ids were not acknowledged at consistency '${String(consistency)}'; first: ${first.error.message}`,
      failures,
      items.length - failures.length,
      { meta: { operation: operation.name, collection } },
    );
  }
  return { acknowledged: items.length, ...counters };
}

/** Every cluster (`mirror`), or the first one by priority that can serve every shard. */
function writeClusters(ctx: MeshContext): readonly Cluster[] {
  const clusters = ctx.topology().clusters;
  if (ctx.options.replication.clusters === 'mirror') return clusters;
  return [clusters.find((c) => ctx.canServe(c)) ?? (clusters[0] as Cluster)];
}

/**
 * Writes one chunk in its cluster. `leaderless`: every replica, acknowledged at `consistency`;
 * `primary`: the primary, the secondaries through hints. Replicas with a hint backlog get the
 * chunk as a hint too, behind their backlog.
 */
async function writeChunk<T>(
  ctx: MeshContext,
  collection: string,
  chunk: Chunk<T>,
  consistency: WriteConsistency,
  deadline: Deadline,
  operation: WriteOperation<T>,
  counters: { requests: number; handedOff: number },
): Promise<ChunkOutcome> {
  deadline.throwIfAborted();
  const { shard } = chunk;
  const values = chunk.items.map((item) => item.value);
  const primaryMode = ctx.options.replication.mode === 'primary';
  const required = primaryMode ? 1 : requiredAcks(consistency, shard.replicas.length);
  // Replicas being filled take every write too, but count toward no acknowledgement.
  const fillers = ctx.fillers(shard);
  const targets = fillers.length === 0 ? shard.replicas : [...shard.replicas, ...fillers];
  const direct = targets.filter((replica) =>
    primaryMode ? replica === shard.primary : !ctx.hints.hasBacklog(replica),
  );
  const outcomes = await Promise.allSettled(
    direct.map((replica) => {
      counters.requests++;
      return writeReplica(ctx, replica, operation.name, deadline, () =>
        operation.send(replica, ctx.physicalName(collection, replica), values, deadline.signal),
      );
    }),
  );
  const acked = new Set<Replica>();
  let counted = 0;
  let worst: VecmeshError | undefined;
  outcomes.forEach((outcome, i) => {
    const replica = direct[i] as Replica;
    if (outcome.status === 'fulfilled') {
      acked.add(replica);
      if (!fillers.includes(replica)) counted++;
    } else {
      const error = tagError(outcome.reason, replica, operation.name, deadline);
      if (worst === undefined || (worst.retryable && !error.retryable)) worst = error;
    }
  });

  // Replicas that did not take the chunk directly get it as a hint, if the chunk counts.
  const missed = targets.filter((replica) => !acked.has(replica));
  const enough = counted >= required;
  const otherClusterMayAck =
    ctx.options.replication.clusters === 'mirror' && ctx.topology().clusters.length > 1;
  if (!enough && (!otherClusterMayAck || worst?.retryable === false || deadline.signal.aborted)) {
    return { status: 'failed', error: worst ?? belowConsistency(shard, counted, required) };
  }
  let allKept = true;
  for (const replica of missed) {
    const name = ctx.physicalName(collection, replica);
    if (await ctx.hints.handOff(replica, operation.hint(name, values))) {
      counters.handedOff++;
      ctx.hints.kick(replica.id);
    } else allKept = false;
  }
  if (enough) return { status: 'acknowledged' };
  // Mirror mode: this cluster is down for the shard; the hints carry the write to it later.
  return allKept
    ? { status: 'handed-off' }
    : { status: 'failed', error: worst ?? belowConsistency(shard, counted, required) };
}

/** One replica write with retries on that replica (backoff each time), through its breaker. */
function writeReplica(
  ctx: MeshContext,
  replica: Replica,
  operation: string,
  deadline: Deadline,
  send: () => Promise<void>,
): Promise<void> {
  const runtime = ctx.runtime(replica);
  return ctx.retry.run(
    (attempt) =>
      deadline.race(runtime.call(send)).catch((error: unknown) => {
        throw tagError(error, replica, operation, deadline, attempt);
      }),
    {
      deadline,
      onRetry: (info) => {
        ctx.events.emit('retry', {
          operation,
          replica: replica.id,
          attempt: info.attempt,
          delayMs: info.delayMs,
          error: info.error,
        });
      },
    },
  );
}

function belowConsistency(shard: Shard, acked: number, required: number): VecmeshError {
  return new PartialWriteError(
    `shard \`${shard.id}\`: ${acked} of the ${required} acknowledgements needed`,
    [],
    0,
    { meta: { cluster: shard.cluster, shard: shard.name } },
  );
}

/** Groups items by shard and splits each group to fit the points and bytes limits. */
function planChunks<T>(
  ctx: MeshContext,
  cluster: Cluster,
  items: readonly PreparedItem<T>[],
): Chunk<T>[] {
  const chunks: Chunk<T>[] = [];
  const groups = cluster.shards.map((): PreparedItem<T>[] => []);
  for (const item of items) {
    if (item.key === undefined) {
      for (const group of groups) group.push(item);
    } else {
      groups[cluster.shardMap.shardFor(item.key)]?.push(item);
    }
  }
  cluster.shards.forEach((shard, i) => {
    const group = groups[i] as PreparedItem<T>[];
    if (group.length === 0) return;
    const maxPoints = Math.min(
      ctx.options.batch.maxPoints,
      ...shard.replicas.map((r) => r.backend.capabilities.maxPointsPerRequest),
    );
    const maxBytes = Math.min(
      ctx.options.batch.maxBytes,
      ...shard.replicas.map((r) => r.backend.capabilities.maxBytesPerRequest),
    );
    let current: PreparedItem<T>[] = [];
    let bytes = 0;
    for (const item of group) {
      // A single item larger than the byte limit still goes alone; the backend will judge it.
      if (current.length > 0 && (current.length >= maxPoints || bytes + item.bytes > maxBytes)) {
        chunks.push({ shard, items: current });
        current = [];
        bytes = 0;
      }
      current.push(item);
      bytes += item.bytes;
    }
    if (current.length > 0) chunks.push({ shard, items: current });
  });
  return chunks;
}
