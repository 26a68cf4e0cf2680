/**
 * The copy phase of a migration: scan every old shard page by page, read each page's points,
 * and write those whose owner changes to their new owner through the write path (all its
 * replicas, at the mesh's consistency), each page inside the copy gate. A checkpoint is written
 * after every page.
 *
 * @module
 */
import { AbortedError } from '../core/errors.js';
import type { Point } from '../core/types.js';
import { copyBatch, scanIds } from '../replication/replica-io.js';
import { shardKeyOf } from '../topology/shard-key.js';
import type { Cluster, Replica, Shard, Topology } from '../backends/backend-topology.js';
import type { CheckpointPosition } from './checkpoint.js';
import type { CopyGate } from './copy-gate.js';
import { caughtUpReplica } from './copy-source.js';
import type { MovedPoint, TopologyHost } from './host.js';

/** Where a migration stands; updated in place as pages are copied. */
export interface MigrationProgress {
  /** The next page to copy; absent before the first. */
  position: CheckpointPosition | undefined;
  /** Points scanned over the whole migration (resumed runs included). */
  total: number;
  /** Points copied to a new owner over the whole migration. */
  moved: number;
  /** Points scanned by this run. */
  scanned: number;
  /** Points the old placement held when this run started (for progress bars). */
  expectedTotal: number;
}

/** What the copy needs. */
export interface CopyRun {
  readonly host: TopologyHost;
  readonly from: Topology;
  readonly next: Topology;
  readonly collections: readonly string[];
  readonly gate: CopyGate;
  readonly batchSize: number;
  readonly signal: AbortSignal | undefined;
  readonly progress: MigrationProgress;
  /** Called after every page (writes the checkpoint, reports progress). */
  readonly afterPage: (event: {
    collection: string;
    cluster: string;
    shard: string;
    scanned: number;
    moved: number;
  }) => Promise<void>;
}

/**
 * Copies every moving point, resuming after `progress.position` when set.
 *
 * @throws {@link AbortedError} when `signal` aborts (checked between pages: the page in flight
 *   completes and its checkpoint is written first); the first backend or write error.
 */
export async function copyToNewOwners(run: CopyRun): Promise<void> {
  const { host, from, next, progress } = run;
  const start = progress.position;
  let reached = start === undefined;
  for (const collection of run.collections) {
    for (const cluster of from.clusters) {
      const nextCluster = next.clusters.find((c) => c.name === cluster.name) as Cluster;
      // Copies stay in their cluster: each cluster's old shards feed its own new owners.
      const target: Topology = {
        ...next,
        clusters: [nextCluster],
        replicas: replicasOf(nextCluster),
      };
      for (const shard of cluster.shards) {
        let cursor: string | undefined;
        let preferred: string | undefined;
        if (!reached && start !== undefined) {
          if (
            start.collection !== collection ||
            start.cluster !== cluster.name ||
            start.shard !== shard.name
          ) {
            continue;
          }
          reached = true;
          if (start.done === true) continue;
          cursor = start.cursor;
          preferred = start.replica;
        }
        // The scan must list every point written before the migration began: a caught-up
        // replica. A resumed scan stays on the replica its cursor belongs to while that replica
        // answers; otherwise the shard is scanned again from its start on another replica
        // (copies are idempotent; the re-scanned points count again in the totals).
        let source = shard.replicas.find((r) => r.id === preferred);
        if (source === undefined || !host.registry.runtime(source).available) {
          source = await caughtUpReplica(host, shard.replicas, shard);
          if (source.id !== preferred) cursor = undefined;
        }
        let scannedHere = 0;
        let movedHere = 0;
        const limit = Math.min(
          run.batchSize,
          ...nextCluster.shards.flatMap((s) =>
            s.replicas.map((r) => r.backend.capabilities.maxPointsPerRequest),
          ),
        );
        const pages = scanIds(host.registry, source, collection, { limit, cursor });
        for await (const page of pages) {
          if (run.signal?.aborted === true) {
            throw new AbortedError(
              `the migration was aborted at \`${collection}\` shard \`${shard.id}\`; its checkpoint is kept and the mesh stays in the migration view: call \`reshard\` with the same topology to resume, or \`abortReshard()\``,
              { cause: run.signal.reason, meta: { operation: 'reshard', collection } },
            );
          }
          let moved = 0;
          if (page.ids.length > 0) {
            moved = await copyPage(run, target, nextCluster, shard, source, collection, page.ids);
          }
          cursor = page.nextCursor;
          scannedHere += page.ids.length;
          movedHere += moved;
          progress.scanned += page.ids.length;
          progress.total += page.ids.length;
          progress.moved += moved;
          progress.position = {
            collection,
            cluster: cluster.name,
            shard: shard.name,
            replica: source.id,
            ...(cursor === undefined ? { done: true } : { cursor }),
          };
          await run.afterPage({
            collection,
            cluster: cluster.name,
            shard: shard.name,
            scanned: scannedHere,
            moved: movedHere,
          });
        }
      }
    }
  }
}

/** Copies one page inside the gate; answers how many points moved. */
async function copyPage(
  run: CopyRun,
  target: Topology,
  nextCluster: Cluster,
  shard: Shard,
  source: Replica,
  collection: string,
  ids: readonly Point['id'][],
): Promise<number> {
  const key = run.next.sharding.key;
  return copyBatch(run.host.registry, {
    collection,
    ids,
    gate: run.gate,
    // Inside the gate no live write on these ids is in flight, so a caught-up replica holds
    // the newest value of each (the scanned one, or another of the shard).
    source: () => caughtUpReplica(run.host, shard.replicas, shard, source),
    operation: 'reshard',
    write: async (points) => {
      const moving: MovedPoint[] = [];
      for (const point of points) {
        const shardKey = shardKeyOf(key, point);
        const owner = nextCluster.shardMap.shardNames[nextCluster.shardMap.shardFor(shardKey)];
        if (owner !== shard.name) moving.push({ point, key: shardKey });
      }
      if (moving.length === 0) return 0;
      // The user's signal stops the migration between pages, never inside one.
      await run.host.writeMoved(target, collection, moving);
      return moving.length;
    },
  });
}

function replicasOf(cluster: Cluster): Replica[] {
  return cluster.shards.flatMap((s) => s.replicas);
}
