/**
 * Point reads: `get` by id, routed to the owner shards, and `count` over the shards a filter can
 * match. Both read from the preferred cluster and walk each shard's replicas on retryable errors.
 *
 * @module
 */
import type { FilterNode } from '../core/filter-ast.js';
import { idKey } from '../core/ids.js';
import type { PointId, StoredPoint } from '../core/types.js';
import type { Deadline } from '../resilience/deadline.js';
import { candidateShards } from '../topology/prune.js';
import type { Cluster, Shard } from '../topology/topology.js';
import type { MeshContext } from './context.js';
import type { PreparedItem } from './prepare-batch.js';
import { readFromShard } from './replica-call.js';

/**
 * Reads validated ids from their owner shards (every shard for ids without a shard key) and
 * answers the points found, in the order of `items`.
 */
export async function runGet(
  ctx: MeshContext,
  collection: string,
  items: readonly PreparedItem<PointId>[],
  includeVector: boolean,
  deadline: Deadline,
): Promise<StoredPoint[]> {
  const cluster = ctx.topology().clusters[0] as Cluster;
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
  const found = new Map<string, StoredPoint>();
  await Promise.all(
    [...byShard].map(async ([shard, ids]) => {
      const points = await readFromShard(
        shard,
        ctx.readPlan(shard),
        'get',
        deadline,
        async (replica) => {
          const name = ctx.physicalName(collection, replica);
          const max = replica.backend.capabilities.maxPointsPerRequest;
          const parts: Promise<StoredPoint[]>[] = [];
          for (let i = 0; i < ids.length; i += max) {
            const slice = ids.slice(i, i + max);
            parts.push(
              replica.backend.get(name, slice, { includeVector }, { signal: deadline.signal }),
            );
          }
          return (await Promise.all(parts)).flat();
        },
      );
      for (const point of points) found.set(idKey(point.id), point);
    }),
  );
  const out: StoredPoint[] = [];
  for (const item of items) {
    const point = found.get(idKey(item.id));
    if (point) out.push(point);
  }
  return out;
}

/** Counts points matching `filter` over the shards of the preferred cluster that can hold one. */
export async function runCount(
  ctx: MeshContext,
  collection: string,
  filter: FilterNode | undefined,
  deadline: Deadline,
): Promise<number> {
  const topology = ctx.topology();
  const cluster = topology.clusters[0] as Cluster;
  const shards = candidateShards(cluster.shardMap, topology.sharding.key, filter);
  const counts = await Promise.all(
    shards.map((i) => {
      const shard = cluster.shards[i] as Shard;
      return readFromShard(shard, ctx.readPlan(shard), 'count', deadline, (replica) =>
        replica.backend.count(ctx.physicalName(collection, replica), filter, {
          signal: deadline.signal,
        }),
      );
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}
