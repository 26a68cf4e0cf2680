/**
 * Cleanup after a migration's cutover (or its abort): every shard of both placements deletes
 * the ids it does not own under the placement in force, so that no point is left on two owners.
 *
 * @module
 */
import { UnavailableError } from '../core/errors.js';
import { idKey } from '../core/ids.js';
import type { PointId } from '../core/types.js';
import { callReplica, scanIds } from '../replication/replica-io.js';
import { shardKeyOf } from '../topology/shard-key.js';
import { physicalCollectionName } from '../topology/topology.js';
import type { Cluster, Replica, Shard, Topology } from '../backends/backend-topology.js';
import type { CopyGate } from './copy-gate.js';
import { isCaughtUp } from './copy-source.js';
import type { TopologyHost } from './host.js';

/** A shard to clean, in its cluster. */
export interface CleanupShard {
  /** The cluster's name. */
  readonly cluster: string;
  /** The shard (of either placement). */
  readonly shard: Shard;
}

/** The shards of two placements, each once (by id). */
export function shardsOfBoth(a: Topology, b: Topology): CleanupShard[] {
  const seen = new Map<string, CleanupShard>();
  for (const topology of [a, b]) {
    for (const cluster of topology.clusters) {
      for (const shard of cluster.shards) {
        if (!seen.has(shard.id)) seen.set(shard.id, { cluster: cluster.name, shard });
      }
    }
  }
  return [...seen.values()];
}

/**
 * Deletes from every replica of `shards` the points whose owner under `owner` is another shard.
 * Each batch is deleted inside the copy gate (for a payload shard key the points are read again
 * there, so that a live write that moved a point here is never deleted).
 *
 * @param onShard - Called after each shard of each collection with the points deleted there.
 * @returns Points deleted, over every replica.
 * @throws the first backend error, tagged with the replica.
 */
export async function deleteForeign(
  host: TopologyHost,
  owner: Topology,
  shards: readonly CleanupShard[],
  collections: readonly string[],
  gate: CopyGate,
  batchSize: number,
  onShard: (collection: string, item: CleanupShard, deleted: number) => void,
): Promise<number> {
  let deleted = 0;
  for (const collection of collections) {
    for (const item of shards) {
      const cluster = owner.clusters.find((c) => c.name === item.cluster);
      if (cluster === undefined) continue;
      let here = 0;
      for (const replica of item.shard.replicas) {
        here += await cleanReplica(
          host,
          owner,
          cluster,
          item.shard,
          replica,
          collection,
          gate,
          batchSize,
        );
      }
      deleted += here;
      onShard(collection, item, here);
    }
  }
  return deleted;
}

/**
 * Deletes from one replica what it does not own. The ids come from scanning the replica itself,
 * and, when it is down or behind with hints that will still add points, a caught-up sibling of
 * its shard too, so that it loses them all. Such a replica gets the deletes
 * as hints, queued behind what it has pending; one that is up and current gets them directly.
 */
async function cleanReplica(
  host: TopologyHost,
  owner: Topology,
  cluster: Cluster,
  shard: Shard,
  replica: Replica,
  collection: string,
  gate: CopyGate,
  batchSize: number,
): Promise<number> {
  const limit = Math.min(batchSize, replica.backend.capabilities.maxPointsPerRequest);
  const name = physicalCollectionName(collection, replica);
  const byId = owner.sharding.key === 'id';
  const foreign = async (ids: readonly PointId[], from: Replica): Promise<PointId[]> => {
    if (byId) return ids.filter((id) => ownerName(cluster, id) !== shard.name);
    const points = await callReplica(host.registry, from, 'cleanup.get', () =>
      from.backend.get(physicalCollectionName(collection, from), ids, { includeVector: false }),
    );
    return points.flatMap((p) => {
      let key;
      try {
        key = shardKeyOf(owner.sharding.key, p);
      } catch {
        return []; // no shard key: it could not have been routed here by the mesh; leave it
      }
      return ownerName(cluster, key) === shard.name ? [] : [p.id];
    });
  };
  const up = host.registry.runtime(replica).available;
  const direct = up && !host.hints.hasBacklog(replica);
  // A current replica lists exactly what it holds; only one that is behind or down needs a
  // caught-up sibling's list too.
  const sibling = direct
    ? undefined
    : shard.replicas.find((r) => r !== replica && isCaughtUp(host, r));
  const sources = [...(up ? [replica] : []), ...(sibling === undefined ? [] : [sibling])];
  if (sources.length === 0) {
    throw new UnavailableError(
      `replica \`${replica.id}\` cannot be cleaned: it is down and no other replica of its shard holds every acknowledged write; run the cleanup again (\`abortReshard\` or \`reshard\`) once a replica is back`,
      {
        meta: { collection, cluster: replica.cluster, shard: replica.shard, replica: replica.id },
      },
    );
  }
  // Collect first, delete after: the scan never sees its own deletions.
  const candidates = new Map<string, PointId>();
  for (const source of sources) {
    for await (const page of scanIds(host.registry, source, collection, { limit })) {
      if (page.ids.length === 0) continue;
      for (const id of await foreign(page.ids, source)) candidates.set(idKey(id), id);
    }
  }
  const list = [...candidates.values()];
  const reader = direct ? replica : (sibling ?? replica);
  let deleted = 0;
  for (let i = 0; i < list.length; i += limit) {
    const batch = list.slice(i, i + limit);
    await gate.exclusive(
      batch.map((id) => idKey(id)),
      async () => {
        const ids = byId ? batch : await foreign(batch, reader);
        if (ids.length === 0) return;
        if (direct) {
          await callReplica(host.registry, replica, 'cleanup.delete', () =>
            replica.backend.delete(name, ids),
          );
        } else {
          // Behind its pending hints, so that no hint replayed later brings a point back.
          await host.hints.handOff(replica, { collection: name, op: 'delete', ids });
        }
        deleted += ids.length;
      },
    );
  }
  return deleted;
}

function ownerName(cluster: Cluster, key: string | number): string | undefined {
  return cluster.shardMap.shardNames[cluster.shardMap.shardFor(key)];
}
