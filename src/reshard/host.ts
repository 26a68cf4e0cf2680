/**
 * What topology changes need from the mesh, and the steps `updateTopology` and `reshard` share:
 * connecting and tracking new replicas, listing and creating the mesh's collections on them, and
 * retiring replicas that left the topology. Calls to replicas go through `replication/replica-io`.
 *
 * @module
 */
import type { VectorBackend } from '../backends/backend.js';
import type { CollectionSpec, Point } from '../core/types.js';
import { toVecmeshError } from '../core/native-errors.js';
import { physicalCollectionName } from '../topology/topology.js';
import type { Replica, Topology } from '../backends/backend-topology.js';
import type { MeshEventEmitter } from '../core/events.js';
import type { HintManager } from '../replication/hint-manager.js';
import { callReplica } from '../replication/replica-io.js';
import type { WriteConsistency } from '../replication/replication-options.js';
import type { RuntimeRegistry } from '../replication/runtime-registry.js';
import type { ShardKeyValue } from '../topology/shard-key.js';
import type { ViewTracker } from './view.js';

/** A point a migration moves, with its shard key under the next placement. */
export interface MovedPoint {
  /** The point as read from its old owner. */
  readonly point: Point;
  /** Its shard key (the id, or the payload field the topology shards by). */
  readonly key: ShardKeyValue;
}

/** The mesh as topology changes see it. @internal */
export interface TopologyHost {
  /** The mesh's write consistency, which every shard of a new topology must be able to reach. */
  readonly options: { readonly replication: { readonly writeConsistency: WriteConsistency } };
  /** Where change events go. */
  readonly events: MeshEventEmitter;
  /** The view in force and the operations in flight. */
  readonly views: ViewTracker<unknown>;
  /** Replica runtimes. */
  readonly registry: RuntimeRegistry;
  /** Hinted handoff. */
  readonly hints: HintManager;
  /** Throws `ClosedError` unless the mesh is connected. */
  assertOpen(): void;
  /**
   * Writes moved points to their owners under `target` through the client's write path: every
   * replica of each owner, at the mesh's write consistency, hints for replicas that miss it,
   * within the mesh's timeout.
   *
   * @throws `PartialWriteError` naming the ids not acknowledged.
   */
  writeMoved(target: Topology, collection: string, points: readonly MovedPoint[]): Promise<void>;
}

/** Every replica the view in force writes to: its topology, fillers and migration target. */
export function liveReplicas(views: ViewTracker<unknown>): Replica[] {
  const view = views.current;
  const all = new Map<string, Replica>();
  for (const r of view.topology.replicas) all.set(r.id, r);
  for (const list of view.fillers.values()) for (const r of list) all.set(r.id, r);
  for (const r of view.migration?.topology.replicas ?? []) all.set(r.id, r);
  return [...all.values()];
}

/**
 * Connects the backends of `replicas` that the mesh does not use yet and starts tracking their
 * runtimes (breaker, hints), so that writes can reach them.
 *
 * @throws the first connection error, tagged with the replica.
 */
export async function connectReplicas(
  host: TopologyHost,
  topology: Topology,
  replicas: readonly Replica[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const known = new Set(liveReplicas(host.views).map((r) => r.backend));
  const fresh = [...new Set(replicas.map((r) => r.backend))].filter((b) => !known.has(b));
  await Promise.all(
    fresh.map(async (backend) => {
      try {
        await backend.connect(signal === undefined ? {} : { signal });
      } catch (error) {
        throw toVecmeshError(error, `${backend.kind} backend`).withMeta({
          backend: backend.endpoint,
          operation: 'connect',
        });
      }
    }),
  );
  for (const runtime of host.registry.adopt(topology)) host.hints.track(runtime);
}

/**
 * The mesh's collections as `replica` holds them: its physical names mapped back through its
 * namespace (names of other namespaces on a shared backend are left out).
 *
 * @throws the backend's error, tagged with the replica.
 */
export async function listMeshCollections(
  host: TopologyHost,
  replica: Replica,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const names = await callReplica(host.registry, replica, 'listCollections', () =>
    replica.backend.listCollections(signal === undefined ? {} : { signal }),
  );
  const prefix = replica.namespace === undefined ? '' : `${replica.namespace}__`;
  return names
    .filter((name) => name.startsWith(prefix))
    .map((name) => name.slice(prefix.length))
    .sort();
}

/**
 * Reads the spec of each collection from `source` and creates it on every replica of `targets`
 * (idempotent for the same spec).
 *
 * @throws the first backend error, tagged with the replica.
 */
export async function createCollectionsOn(
  host: TopologyHost,
  source: Replica,
  targets: readonly Replica[],
  collections: readonly string[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const options = signal === undefined ? {} : { signal };
  for (const collection of collections) {
    const info = await callReplica(host.registry, source, 'describeCollection', () =>
      source.backend.describeCollection(physicalCollectionName(collection, source), options),
    );
    const spec: CollectionSpec = { dimension: info.dimension, metric: info.metric };
    if (info.index) spec.index = info.index;
    await Promise.all(
      targets.map((target) =>
        callReplica(host.registry, target, 'createCollection', () =>
          target.backend.createCollection(
            physicalCollectionName(collection, target),
            spec,
            options,
          ),
        ),
      ),
    );
  }
}

/**
 * Forgets replicas that left the topology once no operation uses them: discards their hints,
 * drops their runtimes and closes their backends unless a replica in force still uses them.
 */
export async function retireReplicas(
  host: TopologyHost,
  replicas: readonly Replica[],
): Promise<void> {
  if (replicas.length === 0) return;
  for (const replica of replicas) await host.hints.discard(replica.id);
  host.registry.forget(replicas.map((r) => r.id));
  const inUse = new Set<VectorBackend>(liveReplicas(host.views).map((r) => r.backend));
  const closing = [...new Set(replicas.map((r) => r.backend))].filter((b) => !inUse.has(b));
  // A backend that fails to close is already out of the topology: nothing more to do with it.
  await Promise.allSettled(closing.map((b) => b.close()));
}
