/**
 * For the acceptance tests on local clusters: replays every pending hint, then checks that
 * every node of the cluster holds each acknowledged id of its shard.
 */
import { expect } from 'vitest';
import type { Mesh, PointId } from '../../src/index.js';
import type { LocalCluster } from '../../src/node/local-cluster.js';

/** Replays hints until none is pending (probing replicas between rounds). */
export async function drainHints(mesh: Mesh): Promise<void> {
  await mesh.checkHealth();
  while (mesh.pendingHints() > 0) {
    await mesh.flushHints();
    if (mesh.pendingHints() > 0) await mesh.checkHealth();
  }
}

/** Expects every node to hold every id of `acknowledged` that its shard owns. */
export async function expectEveryReplicaHolds(
  mesh: Mesh,
  cluster: LocalCluster,
  collection: string,
  acknowledged: readonly PointId[],
): Promise<void> {
  const map = mesh.topology.clusters[0]!.shardMap;
  for (const node of cluster.nodes) {
    const expected = acknowledged.filter((id) => map.shardFor(id) === node.shard);
    const stored = new Set<PointId>();
    let cursor: string | undefined;
    do {
      const page = await node.backend.scanIds(
        collection,
        cursor === undefined ? { limit: 5000 } : { cursor, limit: 5000 },
      );
      for (const id of page.ids) stored.add(id);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    const missing = expected.filter((id) => !stored.has(id));
    expect({ node: `s${node.shard}-r${node.replica}`, missing: missing.length }).toEqual({
      node: `s${node.shard}-r${node.replica}`,
      missing: 0,
    });
  }
}
