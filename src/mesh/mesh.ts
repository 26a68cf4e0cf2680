/**
 * The mesh: one client over many vector database endpoints.
 *
 * @module
 */
import { BackendError, ClosedError, UnavailableError, messageOf } from '../core/errors.js';
import { optionInteger } from '../core/options.js';
import { validateCollectionSpec } from '../core/collection-spec.js';
import type { CollectionSpec } from '../core/types.js';
import type {
  AbortReshardOptions,
  RepairOptions,
  ReshardOptions,
  UpdateTopologyOptions,
} from '../core/maintenance-options.js';
import type { VectorBackend } from '../backends/backend.js';
import type { SearchCache } from '../cache/search-cache.js';
import { Deadline } from '../resilience/deadline.js';
import { physicalCollectionName } from '../topology/topology.js';
import { resolveBackendTopology, type Topology } from '../backends/backend-topology.js';
import { assembleMesh } from './assemble-mesh.js';
import { Collection } from './collection.js';
import type { CollectionSpecs } from './collection-specs.js';
import { OPERATION_OPTION_KEYS, checkCallOptions } from './call-options.js';
import type { MeshContext, OperationOptions } from './context.js';
import { onEveryReplica } from './every-replica.js';
import { MeshEventEmitter } from '../core/events.js';
import type { HealthMonitor } from './health-monitor.js';
import type { HintManager } from '../replication/hint-manager.js';
import { resolveMeshOptions, type MeshOptions, type ResolvedMeshOptions } from './options.js';
import type { ShardRepairReport } from '../replication/repair.js';
import { repairTopology } from '../replication/repair-topology.js';
import { validateCollectionName } from './collection-name.js';
import type { RuntimeRegistry } from '../replication/runtime-registry.js';
import { checkConsistency, rejectSharedEndpoints } from '../replication/topology-checks.js';
import { liveReplicas } from '../reshard/host.js';
import type { ReshardReport } from '../reshard/migration.js';
import type { TopologyChanges } from '../reshard/topology-changes.js';
import type { NextTopology, TopologyUpdateReport } from '../reshard/update-topology.js';
import type { ViewTracker } from '../reshard/view.js';

type State = 'new' | 'open' | 'closed';

/**
 * A client that treats many vector databases as one: it owns the topology, routes every
 * operation to the shards and replicas that own the data, and merges the answers.
 *
 * Constructing it does no I/O; call {@link Mesh.connect} before use and {@link Mesh.close} (or
 * `await using`) when done.
 *
 * @example
 * ```ts
 * const mesh = createMesh({ clusters: [{ name: 'local', shards: [
 *   { replicas: [{ backend: memoryBackend() }] },
 *   { replicas: [{ backend: memoryBackend() }] },
 * ] }] });
 * await mesh.connect();
 * const docs = await mesh.createCollection('docs', { dimension: 384, metric: 'cosine' });
 * await mesh.close();
 * ```
 */
export class Mesh implements AsyncDisposable {
  /** Validated options, defaults filled in. */
  readonly options: ResolvedMeshOptions;

  /** Retries, hedges, breaker changes, failovers and hints, as typed events. */
  readonly events = new MeshEventEmitter();

  private state: State = 'new';
  private readonly views: ViewTracker<MeshContext>;
  private readonly changes: TopologyChanges;
  private readonly specs: CollectionSpecs;
  private readonly registry: RuntimeRegistry;
  private readonly hints: HintManager;
  private readonly health: HealthMonitor;
  private readonly cache: SearchCache | undefined;
  private readonly unbindMetrics: () => void;
  private readonly context: MeshContext;

  private get currentTopology(): Topology {
    return this.views.current.topology;
  }

  /**
   * @param options - Topology and behaviour; see {@link MeshOptions}.
   * @throws {@link InvalidOptionError} / {@link InvalidTopologyError} naming the bad option.
   */
  constructor(options: MeshOptions) {
    this.options = resolveMeshOptions(options);
    const topology = resolveBackendTopology({
      clusters: options.clusters,
      sharding: options.sharding,
    });
    rejectSharedEndpoints(topology);
    checkConsistency(this.options.replication.writeConsistency, topology);
    const parts = assembleMesh(this.options, topology, this.events, {
      assertOpen: () => {
        this.assertOpen();
      },
      closed: () => this.state === 'closed',
    });
    this.registry = parts.registry;
    this.hints = parts.hints;
    this.health = parts.health;
    this.cache = parts.cache;
    this.unbindMetrics = parts.unbindMetrics;
    this.views = parts.views;
    this.context = parts.context;
    this.specs = parts.specs;
    this.changes = parts.changes;
  }

  /** The topology in force (during a migration: the old placement, which reads are served from). */
  get topology(): Topology {
    return this.currentTopology;
  }

  /** Whether a migration is installed (running or paused): writes go to both owners. */
  get migrating(): boolean {
    return this.changes.migrating;
  }

  /**
   * Adds, removes or re-weights replicas of the shards in force, online. Validated first
   * (nothing changes on a refusal). Added replicas are connected, get every collection, take
   * every write from then on (without serving reads or counting toward acknowledgements), and
   * are filled by copying their shard from a kept replica (id scan, batched get and upsert,
   * each batch gated against live writes on its ids); then the new topology (epoch + 1) is
   * installed for new operations, the operations on the old one drain, and removed replicas
   * lose their pending hints and, when no replica in force uses their backend, are closed.
   *
   * @param next - The whole next topology, as `createMesh` takes it.
   * @param options - Fill batch size and an abort signal.
   * @default options.batchSize 500
   * @returns What was added, removed and copied.
   * @throws {@link TopologyChangeError} (nothing changed) for a shard left with none of its
   *   current replicas ("would lose shard X's data"), clusters added or removed, a change of
   *   shard names, order or sharding options (use {@link Mesh.reshard}), a replica changing its
   *   backend under the same name, or while another change or a migration runs or is paused.
   * @throws `InvalidTopologyError` for an invalid `next`; `InvalidOptionError` for a bad
   *   option (checked before anything else); `AbortedError` when `signal` aborts the fill (the
   *   added replicas are then dropped again); the fill's backend errors.
   * @example
   * ```ts
   * const report = await mesh.updateTopology({ clusters: [{ name: 'local', shards: [
   *   { replicas: [{ backend: a }, { backend: c, name: 'r2' }] },
   * ] }] });
   * report.added; // ['local/s0/r2']
   * ```
   */
  updateTopology(
    next: NextTopology,
    options: UpdateTopologyOptions = {},
  ): Promise<TopologyUpdateReport> {
    return this.changes.update(next, options);
  }

  /**
   * Moves to another shard layout online: shards added or removed (with their replicas) and
   * sharding options changed; only the points whose owner changes move. The migration view
   * sends writes to the old AND the new owner and reads from both while the copy scans every
   * old shard; then the cutover installs `next` (epoch + 1), and the cleanup deletes from old
   * owners what they no longer own. See `docs/design-notes.md`, "Online resharding".
   *
   * Aborting `signal` pauses it after the page in flight: the promise rejects with
   * `AbortedError`, the checkpoint is kept and the mesh STAYS in the migration view (dual
   * writes on) until `reshard` is called again with the same `next` (it resumes) or
   * {@link Mesh.abortReshard}. Limit: across a process restart, writes made while no migration
   * view was installed are not re-copied for keys before the checkpoint's position; resume
   * across a restart only before taking writes, or start over.
   *
   * `count()` during a migration counts on the old owners: a point already copied onto a shard
   * that is also an old owner (a shrink) is counted twice until the cutover.
   *
   * @param next - The next topology: the same clusters; kept shards keep their replicas.
   * @param options - Checkpoint file, batch size, collections, signal, progress callback.
   * @default options.batchSize 500
   * @returns Totals, moved fraction against theory, throughput.
   * @throws {@link TopologyChangeError} (nothing moves) when a migration already runs ("started
   *   twice"), another is paused, `next` places every key where it is now, clusters or the shard
   *   key change, a kept shard's replicas change, or the checkpoint belongs to another migration.
   * @throws `InvalidTopologyError` for an invalid or overlapping range map or a backend shared;
   *   `InvalidOptionError` for a bad option.
   * @throws `AbortedError` when paused by `signal`; backend and write errors of the copy (the
   *   migration then stays paused, as for an abort).
   * @example
   * ```ts
   * const report = await mesh.reshard(
   *   { clusters: [{ name: 'local', shards: [...shards, { name: 's3', replicas: [{ backend }] }] }] },
   *   { checkpoint: './reshard.json', onProgress: (p) => progress.set(p.scanned) },
   * );
   * report.movedFraction; // about 0.25 going from 3 to 4 shards
   * ```
   */
  reshard(next: NextTopology, options: ReshardOptions = {}): Promise<ReshardReport> {
    return this.changes.reshard(next, options);
  }

  /**
   * Abandons a paused migration: the old placement serves alone again (dual writes off), the
   * copies made on new owners are deleted (every shard of both placements keeps only what it
   * owns under the old placement), the replicas only the next placement had are closed, and
   * the checkpoint file given is removed.
   *
   * @param options - The checkpoint file to remove, the cleanup's batch size.
   * @default options.batchSize 500
   * @returns Points deleted by the cleanup.
   * @throws {@link TopologyChangeError} when no migration is paused or a change runs.
   * @throws `InvalidOptionError` for a bad option (e.g. an empty `checkpoint`), before anything
   *   else is looked at.
   * @example
   * ```ts
   * await mesh.reshard(next, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
   * if (mesh.migrating) await mesh.abortReshard();
   * ```
   */
  abortReshard(options: AbortReshardOptions = {}): Promise<number> {
    return this.changes.abort(options);
  }

  /**
   * Connects every backend in parallel. Resolves once every shard of at least one cluster has a
   * connected replica (the others are tried again by their next request).
   *
   * @throws {@link UnavailableError} when no cluster can serve every shard.
   * @throws {@link ClosedError} after `close()`.
   */
  async connect(options: OperationOptions = {}): Promise<void> {
    checkCallOptions(options, OPERATION_OPTION_KEYS);
    if (this.state === 'closed') throw new ClosedError('the mesh is closed; create a new one');
    if (this.state === 'open') return;
    await this.withDeadline('connect', options, async (deadline) => {
      const backends = this.backends();
      const outcomes = await Promise.allSettled(
        backends.map((b) => deadline.race(b.connect({ signal: deadline.signal }))),
      );
      const down = new Set<VectorBackend>();
      const reasons: string[] = [];
      outcomes.forEach((outcome, i) => {
        if (outcome.status === 'rejected') {
          const backend = backends[i] as VectorBackend;
          down.add(backend);
          reasons.push(`${backend.kind} ${backend.endpoint}: ${messageOf(outcome.reason)}`);
        }
      });
      const servable = this.currentTopology.clusters.some((cluster) =>
        cluster.shards.every((shard) => shard.replicas.some((r) => !down.has(r.backend))),
      );
      if (!servable) {
        throw new UnavailableError(
          `no cluster can serve every shard: ${down.size} of ${backends.length} backends failed to connect (${reasons.join('; ')})`,
        );
      }
      await this.hints.open();
    });
    this.state = 'open';
    this.health.start();
    this.hints.kickAll();
  }

  /**
   * Closes every backend. Idempotent; every later call rejects with {@link ClosedError}.
   *
   * @throws {@link BackendError} listing the backends whose `close()` failed (all are tried).
   */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await this.health.stop();
    await this.hints.close().catch(() => undefined);
    await this.cache?.close().catch(() => undefined);
    this.unbindMetrics();
    this.registry.shutdown();
    const backends = this.backends();
    const outcomes = await Promise.allSettled(backends.map((b) => b.close()));
    const failed = outcomes.flatMap((o, i) =>
      o.status === 'rejected'
        ? [`${(backends[i] as VectorBackend).endpoint}: ${messageOf(o.reason)}`]
        : [],
    );
    if (failed.length > 0) throw new BackendError(`close failed for ${failed.join('; ')}`);
  }

  /** Same as {@link Mesh.close}, for `await using mesh = createMesh(...)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Creates a collection on every replica of every shard. Idempotent for the same spec.
   *
   * @throws {@link InvalidArgumentError} for a bad name or spec.
   * @throws `CollectionConflictError` when it exists with another dimension or metric.
   * @throws {@link BackendError} naming the replicas that failed (the call is safe to repeat).
   */
  async createCollection(
    name: string,
    spec: CollectionSpec,
    options: OperationOptions = {},
  ): Promise<Collection> {
    checkCallOptions(options, OPERATION_OPTION_KEYS);
    this.assertOpen();
    validateCollectionName(name);
    const resolved = validateCollectionSpec(spec);
    await this.withDeadline('createCollection', options, (deadline) =>
      onEveryReplica(
        liveReplicas(this.views),
        'createCollection',
        name,
        deadline,
        (replica, signal) =>
          replica.backend.createCollection(physicalCollectionName(name, replica), resolved, {
            signal,
          }),
      ),
    );
    this.specs.set(name, resolved);
    await this.cache?.invalidate(name);
    return new Collection(this.context, name);
  }

  /**
   * A handle on an existing collection. Does no I/O; the first operation reads its spec.
   *
   * @throws {@link InvalidArgumentError} for a bad name.
   */
  collection(name: string): Collection {
    validateCollectionName(name);
    return new Collection(this.context, name);
  }

  /**
   * Drops a collection from every replica. Resolves `true` when any replica had it.
   *
   * @throws {@link BackendError} naming the replicas that failed (the call is safe to repeat).
   */
  async dropCollection(name: string, options: OperationOptions = {}): Promise<boolean> {
    checkCallOptions(options, OPERATION_OPTION_KEYS);
    this.assertOpen();
    validateCollectionName(name);
    this.specs.forget(name);
    const dropped = await this.withDeadline('dropCollection', options, (deadline) =>
      onEveryReplica(
        liveReplicas(this.views),
        'dropCollection',
        name,
        deadline,
        (replica, signal) =>
          replica.backend.dropCollection(physicalCollectionName(name, replica), { signal }),
      ),
    );
    this.specs.forget(name);
    await this.cache?.invalidate(name);
    return dropped.some(Boolean);
  }

  /**
   * Makes the replicas of every shard converge: compares their id sets by id scan and copies
   * what each replica is missing from another. Clears the needs-repair mark of replicas whose
   * hints overflowed. Without tombstones, a delete that a replica missed while its hints were
   * discarded is undone (the point is copied back).
   *
   * @param collection - The logical collection to repair.
   * @param options - Scan page size, copy batch size and an abort signal.
   * @default options.pageSize 1000
   * @default options.batchSize 500
   * @throws the first shard's error (a replica that cannot be scanned fails its shard);
   *   `InvalidOptionError` for a bad option, before any shard is repaired.
   */
  async repair(collection: string, options: RepairOptions = {}): Promise<ShardRepairReport[]> {
    this.assertOpen();
    validateCollectionName(collection);
    return repairTopology(
      this.registry,
      this.hints,
      this.events,
      this.currentTopology,
      collection,
      options,
    );
  }

  /**
   * Runs one round of health probes now (the same round the health beat runs): replicas that are
   * down are probed and brought back when they answer, hints are replayed, and with
   * `readPreference: 'nearest'` every replica's latency is measured.
   */
  async checkHealth(): Promise<void> {
    this.assertOpen();
    await this.health.probeRound();
  }

  /** Replicas whose hints overflowed and that need {@link Mesh.repair}. */
  replicasNeedingRepair(): string[] {
    return this.currentTopology.replicas
      .map((r) => r.id)
      .filter((id) => this.hints.store.needsRepair(id));
  }

  /** Hints waiting to be replayed, over every replica. */
  pendingHints(): number {
    return this.hints.pendingTotal();
  }

  /**
   * Waits for the hints of writes acknowledged before every replica answered, then replays
   * the hints of every available replica and resolves when those replays have finished
   * (replays also run on the health beat). Useful in tests and before a planned shutdown.
   */
  async flushHints(): Promise<void> {
    await this.hints.flush();
  }

  private assertOpen(): void {
    if (this.state === 'open') return;
    throw new ClosedError(
      this.state === 'new'
        ? 'the mesh is not connected; call `connect()` first'
        : 'the mesh is closed',
    );
  }

  private backends(): VectorBackend[] {
    return [...new Set(liveReplicas(this.views).map((r) => r.backend))];
  }

  private async withDeadline<T>(
    operation: string,
    options: OperationOptions,
    body: (deadline: Deadline) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = optionInteger(
      options.timeoutMs,
      'timeoutMs',
      this.options.timeoutMs,
      1,
      2_147_483_647,
    );
    const deadline = new Deadline(timeoutMs, operation, options.signal);
    try {
      return await body(deadline);
    } finally {
      deadline.dispose();
    }
  }
}

/**
 * Creates a mesh. Validates every option; does no I/O.
 *
 * @throws {@link InvalidOptionError} / {@link InvalidTopologyError} naming the bad option.
 * @example
 * ```ts
 * const mesh = createMesh({ clusters: [{ name: 'local', shards: [{ replicas: [{ backend }] }] }] });
 * await mesh.connect();
 * ```
 */
export function createMesh(options: MeshOptions): Mesh {
  return new Mesh(options);
}
