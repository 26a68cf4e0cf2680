/**
 * `mesh.updateTopology(next)`: replicas added, removed or re-weighted within the shards in
 * force. Added replicas are filled before they serve reads; removed ones are drained first.
 *
 * @module
 */
import { TopologyChangeError } from '../core/errors.js';
import type { ResolvedUpdateTopologyOptions } from '../core/maintenance-options.js';
import {
  resolveBackendTopology,
  type ClusterOptions,
  type Replica,
} from '../backends/backend-topology.js';
import type { ShardingOptions } from '../topology/sharding-options.js';
import { checkConsistency, rejectSharedEndpoints } from '../replication/topology-checks.js';
import { CopyGate } from './copy-gate.js';
import { fillReplicas, type FillTask } from './fill.js';
import {
  connectReplicas,
  createCollectionsOn,
  listMeshCollections,
  retireReplicas,
  type TopologyHost,
} from './host.js';
import { diffReplicas } from './topology-diff.js';

/** The topology to move to: the same shape `createMesh` takes. */
export interface NextTopology {
  /** The clusters, their shards and replicas. */
  readonly clusters: readonly ClusterOptions[];
  /** Sharding options. @default the same default as `createMesh` (`consistent-hash` by id) */
  readonly sharding?: ShardingOptions;
}

/** What `mesh.updateTopology` did. */
export interface TopologyUpdateReport {
  /** The epoch now in force (unchanged when nothing changed). */
  readonly epoch: number;
  /** Ids of the replicas added (filled, now serving). */
  readonly added: readonly string[];
  /** Ids of the replicas removed (drained, hints dropped, backends closed when unused). */
  readonly removed: readonly string[];
  /** Points copied to added replicas, counted once per replica. */
  readonly filled: number;
  /** Collections copied. */
  readonly collections: readonly string[];
}

/**
 * Validates and applies a replica change. See `Mesh.updateTopology` for the contract; its
 * options are checked by the caller (`resolveUpdateTopologyOptions`).
 *
 * @internal
 */
export async function updateTopology(
  host: TopologyHost,
  input: NextTopology,
  options: ResolvedUpdateTopologyOptions,
): Promise<TopologyUpdateReport> {
  const { batchSize, signal } = options;
  const current = host.views.current.topology;
  const next = resolveBackendTopology(input, current.epoch + 1);
  rejectSharedEndpoints(next);
  checkConsistency(host.options.replication.writeConsistency, next);
  const diff = diffReplicas(current, next);
  if (!diff.changed) {
    return { epoch: current.epoch, added: [], removed: [], filled: 0, collections: [] };
  }

  let filled = 0;
  let collections: string[] = [];
  if (diff.added.length > 0) {
    const kept = current.replicas.filter((r) => !diff.removed.includes(r));
    const source = kept.find((r) => host.registry.runtime(r).available) ?? kept[0];
    if (source === undefined) throw new TopologyChangeError('no replica is kept');
    collections = await listMeshCollections(host, source, signal);
    await connectReplicas(host, next, diff.added, signal);
    const gate = new CopyGate();
    const fillers = new Map<string, Replica[]>();
    for (const replica of diff.added) {
      fillers.set(replica.shardId, [...(fillers.get(replica.shardId) ?? []), replica]);
    }
    const tasks: FillTask[] = [];
    for (const cluster of current.clusters) {
      for (const shard of cluster.shards) {
        const targets = fillers.get(shard.id);
        if (targets === undefined) continue;
        const sources = shard.replicas.filter((r) => !diff.removed.includes(r));
        tasks.push({ shard, sources, targets });
      }
    }
    try {
      await createCollectionsOn(host, source, diff.added, collections, signal);
      // From here the fillers take every write; once the views that did not know them have
      // drained, nothing they should hold can be missed by the copy.
      host.views.install({ topology: current, fillers, gate });
      await host.views.drain();
      filled = await fillReplicas(host, gate, tasks, collections, batchSize, signal);
    } catch (error) {
      host.views.install({ topology: current });
      await host.views.drain();
      await retireReplicas(host, diff.added);
      throw error;
    }
  }
  host.views.install({ topology: next });
  await host.views.drain();
  await retireReplicas(host, diff.removed);
  const added = diff.added.map((r) => r.id);
  const removed = diff.removed.map((r) => r.id);
  host.events.emit('topologyChange', { kind: 'update', epoch: next.epoch, added, removed });
  return { epoch: next.epoch, added, removed, filled, collections };
}
