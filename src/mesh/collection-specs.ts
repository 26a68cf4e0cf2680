/**
 * The specs (dimension, metric, index) of the collections a mesh uses, learned once per
 * collection from a backend and kept, so that validation does not cost a round trip.
 *
 * @module
 */
import type { CollectionSpec } from '../core/types.js';
import { Deadline } from '../resilience/deadline.js';
import { physicalCollectionName } from '../topology/topology.js';
import type { Shard } from '../backends/backend-topology.js';
import type { MeshContext } from './context.js';
import { readShard } from './shard-reader.js';

/**
 * Collection specs by name: set when the mesh creates a collection, described from the first
 * shard's replicas otherwise. A failed look-up is not kept: the next operation asks again.
 *
 * @example
 * ```ts
 * const specs = new CollectionSpecs(context, 30_000);
 * const spec = await specs.get('docs', signal); // one describe, then cached
 * ```
 */
export class CollectionSpecs {
  private readonly specs = new Map<string, Promise<CollectionSpec>>();

  /**
   * @param ctx - The mesh's context (its topology is read when a spec is described).
   * @param timeoutMs - Deadline of one describe.
   */
  constructor(
    private readonly ctx: MeshContext,
    private readonly timeoutMs: number,
  ) {}

  /** The spec of `collection`, described from a backend when not yet known. */
  get(collection: string, signal: AbortSignal): Promise<CollectionSpec> {
    let spec = this.specs.get(collection);
    if (spec === undefined) {
      spec = this.describe(collection, signal);
      this.specs.set(collection, spec);
      spec.catch(() => {
        if (this.specs.get(collection) === spec) this.specs.delete(collection);
      });
    }
    return spec;
  }

  /** Records the spec of a collection the mesh has just created. */
  set(collection: string, spec: CollectionSpec): void {
    this.specs.set(collection, Promise.resolve(spec));
  }

  /** Forgets a collection (dropped). */
  forget(collection: string): void {
    this.specs.delete(collection);
  }

  private async describe(collection: string, signal: AbortSignal): Promise<CollectionSpec> {
    const shard = this.ctx.topology().clusters[0]?.shards[0] as Shard;
    const deadline = new Deadline(this.timeoutMs, 'describe', signal);
    try {
      const info = await readShard(this.ctx, shard, 'describe', deadline, (r, signal) =>
        r.backend.describeCollection(physicalCollectionName(collection, r), { signal }),
      );
      const spec: CollectionSpec = { dimension: info.dimension, metric: info.metric };
      if (info.index) spec.index = info.index;
      return Object.freeze(spec);
    } finally {
      deadline.dispose();
    }
  }
}
