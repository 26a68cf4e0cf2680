/**
 * The write path: route validated items to shards in every cluster, split each shard's items into
 * chunks that fit the backends' limits, send the chunks in parallel under a concurrency limit, and
 * report exactly which ids were not acknowledged.
 *
 * @module
 */
import { settleWithLimit } from '../core/concurrency.js';
import { PartialWriteError, VecmeshError, type PointFailure } from '../core/errors.js';
import { idKey } from '../core/ids.js';
import type { Deadline } from '../resilience/deadline.js';
import type { Replica, Shard, Topology } from '../topology/topology.js';
import type { MeshContext } from './context.js';
import type { WriteConsistency } from './options.js';
import type { PreparedItem } from './prepare-batch.js';
import { requiredAcks, tagError, writeToShard } from './replica-call.js';

/** What a successful write reports. */
export interface WriteResult {
  /** Ids acknowledged (all of the batch, or the call would have thrown). */
  readonly acknowledged: number;
  /** Requests sent, counting one per chunk and replica. */
  readonly requests: number;
}

/** One request's worth of items for one shard. */
interface Chunk<T> {
  readonly shard: Shard;
  readonly items: readonly PreparedItem<T>[];
}

/** Sends one chunk to one replica. */
export type ChunkSender<T> = (
  replica: Replica,
  physicalName: string,
  values: T[],
  signal: AbortSignal,
) => Promise<void>;

/**
 * Routes, chunks and sends a validated batch.
 *
 * Items with a shard key go to its owner in every cluster; items without one (a delete by id under
 * a payload shard key) go to every shard. An id counts as acknowledged only when every chunk that
 * carried it was acknowledged by `consistency` replicas of its shard in every cluster.
 *
 * @throws {@link PartialWriteError} listing each id that was not acknowledged, with its reason.
 */
export async function runWrite<T>(
  ctx: MeshContext,
  collection: string,
  items: readonly PreparedItem<T>[],
  consistency: WriteConsistency,
  operation: string,
  deadline: Deadline,
  send: ChunkSender<T>,
): Promise<WriteResult> {
  if (items.length === 0) return { acknowledged: 0, requests: 0 };
  const topology = ctx.topology();
  const chunks = planChunks(ctx, topology, items);
  let requests = 0;
  const outcomes = await settleWithLimit(chunks, ctx.options.batch.concurrency, async (chunk) => {
    deadline.throwIfAborted();
    const values = chunk.items.map((item) => item.value);
    const required = requiredAcks(consistency, chunk.shard.replicas.length);
    requests += chunk.shard.replicas.length;
    return writeToShard(chunk.shard, required, operation, deadline, (replica) =>
      send(replica, ctx.physicalName(collection, replica), values, deadline.signal),
    );
  });

  const failedById = new Map<string, PointFailure>();
  outcomes.forEach((outcome, i) => {
    if (outcome.ok) return;
    const chunk = chunks[i] as Chunk<T>;
    const error =
      outcome.error instanceof VecmeshError
        ? outcome.error
        : tagError(outcome.error, chunk.shard.primary, operation, deadline);
    for (const item of chunk.items) {
      const key = idKey(item.id);
      if (!failedById.has(key)) failedById.set(key, { id: item.id, error });
    }
  });
  if (failedById.size > 0) {
    const failures = orderLike(items, failedById);
    const first = failures[0] as PointFailure;
    throw new PartialWriteError(
      `\`${operation}\` on \`${collection}\`: ${failures.length} of ${items.length} ids were not acknowledged at consistency '${consistency}'; first: ${first.error.message}`,
      failures,
      items.length - failures.length,
      { meta: { operation, collection } },
    );
  }
  return { acknowledged: items.length, requests };
}

/** Groups items by shard in every cluster and splits each group to fit points and bytes limits. */
function planChunks<T>(
  ctx: MeshContext,
  topology: Topology,
  items: readonly PreparedItem<T>[],
): Chunk<T>[] {
  const chunks: Chunk<T>[] = [];
  for (const cluster of topology.clusters) {
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
  }
  return chunks;
}

function orderLike<T>(
  items: readonly PreparedItem<T>[],
  failed: Map<string, PointFailure>,
): PointFailure[] {
  const out: PointFailure[] = [];
  for (const item of items) {
    const failure = failed.get(idKey(item.id));
    if (failure) out.push(failure);
  }
  return out;
}
