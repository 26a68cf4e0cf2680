/**
 * Point reads: `get` by id, routed to the owner shards, and `count` over the shards a filter can
 * match. Both read from the cluster the read order prefers and fail over to the next.
 *
 * @module
 */
import type { FilterNode } from '../core/filter-ast.js';
import { idKey } from '../core/ids.js';
import type { PointId, StoredPoint } from '../core/types.js';
import type { Deadline } from '../resilience/deadline.js';
import { candidateShards } from '../topology/prune.js';
import type { Cluster, Replica, Shard } from '../backends/backend-topology.js';
import type { MeshContext } from './context.js';
import { readWithFailover } from './failover.js';
import type { PreparedItem } from './prepare-batch.js';
import { readShard, readShardQuorum, type ReplicaRead } from './shard-reader.js';

/**
 * Reads validated ids from their owner shards (every shard for ids without a shard key) and
 * answers the points found, in the order of `items`.
 */
export function runGet(
  ctx: MeshContext,
  collection: string,
  items: readonly PreparedItem<PointId>[],
  includeVector: boolean,
  deadline: Deadline,
): Promise<StoredPoint[]> {
  return readWithFailover(ctx, 'get', deadline, async (cluster) => {
    const found = new Map<string, StoredPoint>();
    await Promise.all(
      [...ownersOf(cluster, items)].map(async ([shard, ids]) => {
        const answers = await readAll(ctx, shard, 'get', deadline, (replica, signal) =>
          getFromReplica(ctx, collection, replica, ids, includeVector, signal),
        );
        for (const points of answers) for (const point of points) found.set(idKey(point.id), point);
      }),
    );
    const out: StoredPoint[] = [];
    for (const item of items) {
      const point = found.get(idKey(item.id));
      if (point) out.push(point);
    }
    return out;
  });
}

/**
 * Counts points matching `filter` over the shards that can hold one. With quorum reads a shard
 * counts as the largest answer of its replicas.
 */
export function runCount(
  ctx: MeshContext,
  collection: string,
  filter: FilterNode | undefined,
  deadline: Deadline,
): Promise<number> {
  return readWithFailover(ctx, 'count', deadline, async (cluster) => {
    const shards = candidateShards(cluster.shardMap, ctx.topology().sharding.key, filter);
    const counts = await Promise.all(
      shards.map(async (i) => {
        const answers = await readAll(
          ctx,
          cluster.shards[i] as Shard,
          'count',
          deadline,
          (r, signal) => r.backend.count(ctx.physicalName(collection, r), filter, { signal }),
        );
        return Math.max(...answers);
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  });
}

/** One answer (`readConsistency: 'one'`) or a quorum's answers. */
async function readAll<T>(
  ctx: MeshContext,
  shard: Shard,
  operation: string,
  deadline: Deadline,
  read: ReplicaRead<T>,
): Promise<T[]> {
  if (ctx.options.replication.readConsistency === 'one' || shard.replicas.length === 1) {
    return [await readShard(ctx, shard, operation, deadline, read)];
  }
  return readShardQuorum(ctx, shard, operation, deadline, read);
}

function ownersOf(
  cluster: Cluster,
  items: readonly PreparedItem<PointId>[],
): Map<Shard, PointId[]> {
  const byShard = new Map<Shard, PointId[]>();
  for (const item of items) {
    const owners =
      item.key === undefined
        ? cluster.shards
        : [cluster.shards[cluster.shardMap.shardFor(item.key)] as Shard];
    for (const shard of owners) {
      const list = byShard.get(shard);
      if (list) list.push(item.id);
      else byShard.set(shard, [item.id]);
    }
  }
  return byShard;
}

async function getFromReplica(
  ctx: MeshContext,
  collection: string,
  replica: Replica,
  ids: readonly PointId[],
  includeVector: boolean,
  signal: AbortSignal,
): Promise<StoredPoint[]> {
  const name = ctx.physicalName(collection, replica);
  const max = replica.backend.capabilities.maxPointsPerRequest;
  const parts: Promise<StoredPoint[]>[] = [];
  for (let i = 0; i < ids.length; i += max) {
    parts.push(replica.backend.get(name, ids.slice(i, i + max), { includeVector }, { signal }));
  }
  return (await Promise.all(parts)).flat();
}
