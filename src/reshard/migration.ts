/**
 * `mesh.reshard(next)`: moves the points whose owner changes to their new owner while the
 * application keeps reading and writing. Create the collections on the new shards, install the
 * migration view (dual writes, reads on both owners), copy, cut over, clean up. See
 * `docs/design-notes.md` ("Online resharding").
 *
 * @module
 */
import { TopologyChangeError } from '../core/errors.js';
import type { ResolvedReshardOptions } from '../core/maintenance-options.js';
import {
  resolveBackendTopology,
  type Replica,
  type Topology,
} from '../backends/backend-topology.js';
import { physicalCollectionName } from '../topology/topology.js';
import { callReplica } from '../replication/replica-io.js';
import { checkConsistency, rejectSharedEndpoints } from '../replication/topology-checks.js';
import {
  readCheckpoint,
  removeCheckpoint,
  writeCheckpoint,
  type ReshardCheckpoint,
} from './checkpoint.js';
import { deleteForeign, shardsOfBoth } from './cleanup.js';
import { CopyGate } from './copy-gate.js';
import {
  connectReplicas,
  createCollectionsOn,
  listMeshCollections,
  retireReplicas,
  type TopologyHost,
} from './host.js';
import { copyToNewOwners, type MigrationProgress } from './migration-copy.js';
import {
  checkReshard,
  expectedMovedFraction,
  migrationFingerprint,
  sameReplica,
} from './topology-diff.js';
import type { NextTopology } from './update-topology.js';
import type { ReshardProgressEvent } from '../core/events.js';

/** What a completed migration did. */
export interface ReshardReport {
  /** The epoch installed at cutover. */
  readonly epoch: number;
  /** The collections moved. */
  readonly collections: readonly string[];
  /** Points scanned on the old shards (over resumed runs too). */
  readonly total: number;
  /** Points copied to a new owner (over resumed runs too). */
  readonly moved: number;
  /** `moved / total` (0 when there were no points). */
  readonly movedFraction: number;
  /**
   * What consistent hashing promises (`1/(n+1)` when one shard is added to `n` or one of `n+1`
   * removed, under `consistent-hash`, `rendezvous`, or `jump` at the end), else `null`.
   */
  readonly expectedFraction: number | null;
  /** Points scanned by this call (less than `total` when it resumed from a checkpoint). */
  readonly scanned: number;
  /** Whether this call resumed a paused migration or a checkpoint. */
  readonly resumed: boolean;
  /** Points deleted from old owners by the cleanup. */
  readonly deleted: number;
  /** Wall time of this call in milliseconds. */
  readonly durationMs: number;
  /** Points scanned per second by this call. */
  readonly pointsPerSecond: number;
}

/** A migration whose view is installed but whose copy is not running (paused or failed). */
export interface PendingMigration {
  readonly from: Topology;
  readonly next: Topology;
  readonly collections: readonly string[];
  readonly fingerprint: string;
  readonly progress: MigrationProgress;
  phase: 'copy' | 'cleanup';
  /** Set once `abortReshard` started: its copies may be partly deleted, so it cannot resume. */
  aborting?: boolean;
}

/**
 * Validates `next` against the topology in force and prepares (but does not install) the
 * migration: nothing is connected, created or moved when it throws.
 *
 * @throws {@link TopologyChangeError} / `InvalidTopologyError` for a refused change.
 * @internal
 */
export async function planMigration(
  host: TopologyHost,
  input: NextTopology,
  options: ResolvedReshardOptions,
  pending: PendingMigration | undefined,
): Promise<{ migration: PendingMigration; checkpoint: ReshardCheckpoint | undefined }> {
  const from = pending?.from ?? host.views.current.topology;
  const next = resolveBackendTopology(input, from.epoch + 1);
  if (pending?.aborting === true) {
    throw new TopologyChangeError(
      'an `abortReshard()` of the paused migration did not finish; call `mesh.abortReshard()` again',
    );
  }
  if (pending !== undefined) {
    const fingerprint = migrationFingerprint(from, next, pending.collections);
    if (fingerprint !== pending.fingerprint) {
      throw new TopologyChangeError(
        'a migration to another placement is paused; resume it with the same next topology, or call `mesh.abortReshard()` first',
      );
    }
    return { migration: pending, checkpoint: undefined };
  }
  rejectSharedEndpoints(next);
  // A new shard must not reuse the physical collection of a replica in force.
  const fresh = next.replicas.filter((r) => !from.replicas.some((f) => sameReplica(f, r)));
  rejectSharedEndpoints({ ...from, replicas: [...from.replicas, ...fresh] });
  checkConsistency(host.options.replication.writeConsistency, next);
  if (!checkReshard(from, next)) {
    throw new TopologyChangeError(
      'nothing to migrate: `next` places every key where it is now (same shard names, order and sharding options); use `mesh.updateTopology(next)` for replica changes',
    );
  }
  const source = from.clusters[0]?.shards[0]?.primary as Replica;
  const collections =
    options.collections ?? (await listMeshCollections(host, source, options.signal));
  const fingerprint = migrationFingerprint(from, next, collections);
  let checkpoint: ReshardCheckpoint | undefined;
  if (options.checkpoint !== undefined) {
    checkpoint = await readCheckpoint(options.checkpoint);
    if (checkpoint !== undefined && checkpoint.fingerprint !== fingerprint) {
      throw new TopologyChangeError(
        `checkpoint \`${options.checkpoint}\` belongs to another migration (other placements or collections); finish that one, or delete the file to start over`,
      );
    }
  }
  return {
    migration: {
      from,
      next,
      collections,
      fingerprint,
      phase: checkpoint?.phase ?? 'copy',
      progress: {
        position: checkpoint?.position,
        total: checkpoint?.total ?? 0,
        moved: checkpoint?.moved ?? 0,
        scanned: 0,
        expectedTotal: 0,
      },
    },
    checkpoint,
  };
}

/**
 * Runs (or resumes) a planned migration to its end. On an abort or a failure during the copy,
 * the mesh stays in the migration view without the gate (dual writes on) and this rejects.
 *
 * @internal
 */
export async function runMigration(
  host: TopologyHost,
  migration: PendingMigration,
  options: ResolvedReshardOptions,
  resumed: { readonly fromMemory: boolean; readonly fromCheckpoint: boolean },
  onPaused: (pending: PendingMigration | undefined) => void,
): Promise<ReshardReport> {
  const started = performance.now();
  const { from, next, collections } = migration;
  const progress = migration.progress;
  progress.scanned = 0;
  const added = next.replicas.filter((r) => !from.replicas.some((f) => sameReplica(f, r)));
  if (!resumed.fromMemory) {
    await connectReplicas(host, next, added, options.signal);
    const source = from.clusters[0]?.shards[0]?.primary as Replica;
    await createCollectionsOn(host, source, added, collections, options.signal);
  }
  const gate = new CopyGate();
  const writeCheckpointNow = async (): Promise<void> => {
    if (options.checkpoint === undefined) return;
    await writeCheckpoint(options.checkpoint, {
      version: 1,
      fingerprint: migration.fingerprint,
      phase: migration.phase,
      ...(progress.position === undefined ? {} : { position: progress.position }),
      total: progress.total,
      moved: progress.moved,
    });
  };
  const emit = (event: ReshardProgressEvent): void => {
    host.events.emit('reshardProgress', event);
    try {
      options.onProgress?.(event);
    } catch {
      // A progress callback's failure must not fail the migration.
    }
  };

  // Dual writes from here; the copy starts once operations on older views have drained.
  host.views.install({ topology: from, next, gate });
  onPaused(migration);
  await host.views.drain();
  if (migration.phase === 'copy') {
    try {
      progress.expectedTotal = await countPoints(host, from, collections);
      await writeCheckpointNow();
      await copyToNewOwners({
        host,
        from,
        next,
        collections,
        gate,
        batchSize: options.batchSize,
        signal: options.signal,
        progress,
        afterPage: async (page) => {
          await writeCheckpointNow();
          emit({
            phase: 'copy',
            ...page,
            total: progress.total,
            movedTotal: progress.moved,
            expectedTotal: Math.max(progress.expectedTotal, progress.total),
          });
        },
      });
    } catch (error) {
      // Paused: dual writes stay on (nothing written meanwhile is missed); no copy, no gate.
      host.views.install({ topology: from, next });
      throw error;
    }
    migration.phase = 'cleanup';
    await writeCheckpointNow();
  }

  // Cutover: new operations route on the next placement; the migration view drains.
  host.views.install({ topology: next, gate });
  onPaused(undefined);
  await host.views.drain();
  const removedShards = from.clusters.flatMap((c) =>
    c.shards.filter(
      (s) =>
        !next.clusters.some((n) => n.name === c.name && n.shards.some((x) => x.name === s.name)),
    ),
  );
  const removed = removedShards.flatMap((s) => s.replicas);
  host.events.emit('topologyChange', {
    kind: 'reshard',
    epoch: next.epoch,
    added: added.map((r) => r.id),
    removed: removed.map((r) => r.id),
  });
  // Hints pending for old owners replay before the cleanup, so that none lands after it.
  host.hints.kickAll();
  await host.hints.settled();
  const deleted = await deleteForeign(
    host,
    next,
    shardsOfBoth(from, next),
    collections,
    gate,
    options.batchSize,
    (collection, item, count) => {
      emit({
        phase: 'cleanup',
        collection,
        cluster: item.cluster,
        shard: item.shard.name,
        scanned: count,
        moved: 0,
        total: progress.total,
        movedTotal: progress.moved,
        expectedTotal: progress.total,
      });
    },
  );
  host.views.install({ topology: next });
  await host.views.drain();
  await retireReplicas(host, removed);
  host.registry.forgetShards(removedShards);
  if (options.checkpoint !== undefined) await removeCheckpoint(options.checkpoint);
  const durationMs = performance.now() - started;
  return Object.freeze({
    epoch: next.epoch,
    collections: Object.freeze([...collections]),
    total: progress.total,
    moved: progress.moved,
    movedFraction: progress.total === 0 ? 0 : progress.moved / progress.total,
    expectedFraction: expectedMovedFraction(from, next),
    scanned: progress.scanned,
    resumed: resumed.fromMemory || resumed.fromCheckpoint,
    deleted,
    durationMs,
    pointsPerSecond: durationMs === 0 ? 0 : (progress.scanned * 1000) / durationMs,
  });
}

/**
 * Returns from a paused migration to the old placement: new operations stop dual writes, then
 * every shard of both placements deletes what it does not own under the old one (the copies on
 * new owners), and the replicas only the next placement has are closed.
 *
 * @internal
 */
export async function abortMigration(
  host: TopologyHost,
  migration: PendingMigration,
  batchSize: number,
  checkpoint: string | undefined,
): Promise<number> {
  const { from, next, collections } = migration;
  const gate = new CopyGate();
  host.views.install({ topology: from, gate });
  await host.views.drain();
  const deleted = await deleteForeign(
    host,
    from,
    shardsOfBoth(from, next),
    collections,
    gate,
    batchSize,
    () => undefined,
  );
  host.views.install({ topology: from });
  await host.views.drain();
  const onlyNext = next.replicas.filter((r) => !from.replicas.some((f) => sameReplica(f, r)));
  await retireReplicas(host, onlyNext);
  if (checkpoint !== undefined) await removeCheckpoint(checkpoint);
  host.events.emit('topologyChange', {
    kind: 'reshard-abort',
    epoch: from.epoch,
    added: [],
    removed: onlyNext.map((r) => r.id),
  });
  return deleted;
}

/** Points on the old placement (one replica per shard), for progress reporting. */
async function countPoints(
  host: TopologyHost,
  from: Topology,
  collections: readonly string[],
): Promise<number> {
  let total = 0;
  for (const collection of collections) {
    for (const cluster of from.clusters) {
      for (const shard of cluster.shards) {
        const r = shard.primary;
        total += await callReplica(host.registry, r, 'count', () =>
          r.backend.count(physicalCollectionName(collection, r)),
        );
      }
    }
  }
  return total;
}
