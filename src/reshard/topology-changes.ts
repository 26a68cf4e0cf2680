/**
 * The mesh's topology changes, one at a time: `updateTopology`, `reshard` and `abortReshard`,
 * and the migration that is paused between a `reshard` that stopped and the call that resumes
 * or abandons it.
 *
 * @module
 */
import { TopologyChangeError } from '../core/errors.js';
import {
  resolveAbortReshardOptions,
  resolveReshardOptions,
  resolveUpdateTopologyOptions,
  type AbortReshardOptions,
  type ReshardOptions,
  type UpdateTopologyOptions,
} from '../core/maintenance-options.js';
import { retireReplicas, type TopologyHost } from './host.js';
import {
  abortMigration,
  planMigration,
  runMigration,
  type PendingMigration,
  type ReshardReport,
} from './migration.js';
import { sameReplica } from './topology-diff.js';
import { updateTopology, type NextTopology, type TopologyUpdateReport } from './update-topology.js';

/** Serializes topology changes and keeps the paused migration. @internal */
export class TopologyChanges {
  private running: string | undefined;
  private paused: PendingMigration | undefined;

  /** @param host - The mesh. */
  constructor(private readonly host: TopologyHost) {}

  /** Whether a migration is installed (running or paused): dual writes are on. */
  get migrating(): boolean {
    return this.paused !== undefined || this.running === 'reshard';
  }

  /** See `Mesh.updateTopology`. */
  async update(
    next: NextTopology,
    options: UpdateTopologyOptions = {},
  ): Promise<TopologyUpdateReport> {
    this.host.assertOpen();
    const resolved = resolveUpdateTopologyOptions(options);
    this.enter('updateTopology');
    try {
      if (this.paused !== undefined) {
        throw new TopologyChangeError(
          'a migration is paused; finish it with `mesh.reshard(next)` or undo it with `mesh.abortReshard()` before changing replicas',
        );
      }
      return await updateTopology(this.host, next, resolved);
    } finally {
      this.running = undefined;
    }
  }

  /** See `Mesh.reshard`. */
  async reshard(next: NextTopology, options: ReshardOptions = {}): Promise<ReshardReport> {
    this.host.assertOpen();
    const resolved = resolveReshardOptions(options);
    this.enter('reshard');
    try {
      const pending = this.paused;
      const { migration, checkpoint } = await planMigration(this.host, next, resolved, pending);
      const view = { installed: false };
      try {
        return await runMigration(
          this.host,
          migration,
          resolved,
          { fromMemory: pending !== undefined, fromCheckpoint: checkpoint !== undefined },
          (state) => {
            view.installed = true;
            this.paused = state;
          },
        );
      } catch (error) {
        if (!view.installed && pending === undefined) {
          // Failed before its view was installed: forget the replicas it connected.
          const onlyNext = migration.next.replicas.filter(
            (r) => !migration.from.replicas.some((f) => sameReplica(f, r)),
          );
          await retireReplicas(this.host, onlyNext).catch(() => undefined);
        }
        throw error;
      }
    } finally {
      this.running = undefined;
    }
  }

  /** See `Mesh.abortReshard`. */
  async abort(options: AbortReshardOptions = {}): Promise<number> {
    this.host.assertOpen();
    const { batchSize, checkpoint } = resolveAbortReshardOptions(options);
    this.enter('abortReshard');
    try {
      const paused = this.paused;
      if (paused === undefined) {
        throw new TopologyChangeError('no migration is paused; there is nothing to abort');
      }
      paused.aborting = true;
      const deleted = await abortMigration(this.host, paused, batchSize, checkpoint);
      this.paused = undefined;
      return deleted;
    } finally {
      this.running = undefined;
    }
  }

  /** Claims the change slot synchronously, so that a second concurrent call is refused. */
  private enter(what: string): void {
    if (this.running !== undefined) {
      throw new TopologyChangeError(
        `a ${this.running} is already running; ${what} must wait for it (a migration cannot be started twice)`,
      );
    }
    this.running = what;
  }
}
