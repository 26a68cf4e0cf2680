/**
 * The topology bound to `VectorBackend`: the topology model names a replica's endpoint by a type
 * parameter (it needs no sockets); everything that calls replicas uses these bindings, and
 * `checkVectorBackend` is the check that gives a replica's `backend` its type.
 *
 * @module
 */
import {
  checkEndpointShape,
  resolveTopology,
  type Cluster as GenericCluster,
  type ClusterOptions as GenericClusterOptions,
  type Replica as GenericReplica,
  type ReplicaOptions as GenericReplicaOptions,
  type Shard as GenericShard,
  type ShardOptions as GenericShardOptions,
  type Topology as GenericTopology,
} from '../topology/topology.js';
import type { VectorBackend } from './backend.js';

/**
 * Checks that a replica's `backend` is a `VectorBackend`: an object with a string `kind` and
 * `endpoint` and the `search` and `upsert` methods. `resolveBackendTopology` passes it to
 * `resolveTopology`.
 *
 * @throws `InvalidTopologyError` naming `path` and what is missing.
 * @example
 * ```ts
 * const topology = resolveTopology({ clusters }, 1, checkVectorBackend);
 * ```
 */
export function checkVectorBackend(value: unknown, path: string): VectorBackend {
  return checkEndpointShape(value, path, 'VectorBackend', ['search', 'upsert']) as VectorBackend;
}

// The topology types under their own names, bound to `VectorBackend`: modules above `backends/`
// import these, so a replica's `backend` is the adapter they call.

/** The validated topology whose replicas live on `VectorBackend`s (see `topology/topology`). */
export type Topology = GenericTopology<VectorBackend>;
/** A validated cluster whose replicas live on `VectorBackend`s. */
export type Cluster = GenericCluster<VectorBackend>;
/** A validated shard whose replicas live on `VectorBackend`s. */
export type Shard = GenericShard<VectorBackend>;
/** A validated replica on a `VectorBackend`. */
export type Replica = GenericReplica<VectorBackend>;
/** A cluster as the mesh options give it: its replicas' `backend` is a `VectorBackend`. */
export type ClusterOptions = GenericClusterOptions<VectorBackend>;
/** A shard as the mesh options give it. */
export type ShardOptions = GenericShardOptions<VectorBackend>;
/** A replica as the mesh options give it: `backend` is the adapter of its endpoint. */
export type ReplicaOptions = GenericReplicaOptions<VectorBackend>;

/**
 * {@link resolveTopology} with {@link checkVectorBackend}: validates a topology whose replicas
 * are `VectorBackend`s.
 *
 * @default epoch 1
 * @throws `InvalidTopologyError` for every error of `resolveTopology`, and a `backend` that is
 *   not a `VectorBackend`.
 * @throws `InvalidArgumentError` when `epoch` is not a non-negative safe integer.
 * @example
 * ```ts
 * const topology = resolveBackendTopology({ clusters: [{ name: 'a', shards: [{ replicas: [{ backend }] }] }] });
 * ```
 */
export function resolveBackendTopology(
  input: { readonly clusters: unknown; readonly sharding?: unknown },
  epoch = 1,
): Topology {
  return resolveTopology(input, epoch, checkVectorBackend);
}
