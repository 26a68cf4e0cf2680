/**
 * What the operation modules (write, read, search) need from the mesh, as a narrow interface
 * so that they do not depend on the `Mesh` class itself.
 *
 * @module
 */
import type { CollectionSpec } from '../core/types.js';
import type { Replica, Shard, Topology } from '../topology/topology.js';
import type { ResolvedMeshOptions } from './options.js';

/** Per-call options every collection operation accepts. */
export interface OperationOptions {
  /** Aborts the operation; it then rejects with `AbortedError`. */
  signal?: AbortSignal;
  /**
   * Deadline for this call in milliseconds.
   * @default the mesh's `timeoutMs`
   */
  timeoutMs?: number;
}

/** The mesh as the operation modules see it. @internal */
export interface MeshContext {
  /** Validated options. */
  readonly options: ResolvedMeshOptions;
  /** The topology in force (read once per operation). */
  topology(): Topology;
  /** Throws `ClosedError` unless the mesh is connected. */
  assertOpen(): void;
  /** The spec of a collection, described from a backend and cached when not yet known. */
  spec(collection: string, signal: AbortSignal): Promise<CollectionSpec>;
  /** The replicas of a shard in the order a read should try them. */
  readPlan(shard: Shard): readonly Replica[];
  /** The collection's name on a replica's backend. */
  physicalName(collection: string, replica: Replica): string;
}
