/**
 * Views: what one operation sees of the topology. Every operation pins the view in force when it
 * starts and runs entirely on it, so that a topology change applies atomically to new operations
 * while the ones already running finish on the old view. The tracker counts operations in flight
 * per view, so that a change can wait until the views it replaced have drained.
 *
 * @module
 */
import type { Replica, Topology } from '../backends/backend-topology.js';
import type { CopyGate } from './copy-gate.js';

/** The migration part of a view: where keys go under the next placement. */
export interface MigrationTarget<C> {
  /** The next topology (its epoch is the one the cutover installs). */
  readonly topology: Topology;
  /** The operation context bound to it. */
  readonly ctx: C;
}

/**
 * What operations route on. Immutable; a change installs a new one.
 *
 * - Plain: `topology` serves every read and write.
 * - Fill: `fillers` (replicas being filled) take every write of their shard too, but serve no
 *   read and count toward no acknowledgement.
 * - Migration: writes go to the owner under `topology` AND under `migration.topology` (dual
 *   writes); `get` and `search` consult both owners; `count` counts on the old owners.
 * - `gate` is set while a copy or cleanup runs: live writes enter it (see {@link CopyGate}).
 *
 * `C` is the operation context the client binds to a topology (the client's `MeshContext`);
 * topology changes never look inside it, so this folder does not depend on the client.
 */
export interface MeshView<C> {
  /** Installation order, for draining. */
  readonly seq: number;
  /** The topology reads are served from (the old placement during a migration). */
  readonly topology: Topology;
  /** The operation context bound to `topology` (and `fillers`). */
  readonly ctx: C;
  /** Replicas being filled, by `cluster/shard`. */
  readonly fillers: ReadonlyMap<string, readonly Replica[]>;
  /** Set during a migration. */
  readonly migration: MigrationTarget<C> | undefined;
  /** Set while a copy or cleanup runs. */
  readonly gate: CopyGate | undefined;
}

/** What a view is made of; the tracker numbers it and binds its contexts. */
export interface ViewSpec {
  /** See {@link MeshView.topology}. */
  readonly topology: Topology;
  /** See {@link MeshView.fillers}. @default none */
  readonly fillers?: ReadonlyMap<string, readonly Replica[]>;
  /** The next topology during a migration. */
  readonly next?: Topology;
  /** See {@link MeshView.gate}. */
  readonly gate?: CopyGate;
}

/** A view pinned by one operation; `release()` once it has settled (idempotent). */
export interface PinnedView<C> {
  /** The view the operation runs on. */
  readonly view: MeshView<C>;
  /** Ends the pin. */
  release(): void;
}

/** Binds an operation context to a topology and its fillers. */
export type ContextBinder<C> = (
  topology: Topology,
  fillers: ReadonlyMap<string, readonly Replica[]>,
) => C;

const NO_FILLERS: ReadonlyMap<string, readonly Replica[]> = new Map();

/**
 * The view in force, and the operations in flight on every view.
 *
 * @example
 * ```ts
 * const views = new ViewTracker({ topology }, bind);
 * const { view, release } = views.pin();
 * try { await runWrite(view.ctx, ...); } finally { release(); }
 * views.install({ topology: next });
 * await views.drain(); // every operation pinned before `install` has finished
 * ```
 */
export class ViewTracker<C> {
  private view: MeshView<C>;
  private seq = 0;
  private readonly inFlight = new Map<MeshView<C>, { count: number; idle: (() => void)[] }>();

  /**
   * @param initial - The first view.
   * @param bind - Builds the operation context of a topology.
   */
  constructor(
    initial: ViewSpec,
    private readonly bind: ContextBinder<C>,
  ) {
    this.view = this.make(initial);
  }

  /** The view in force. */
  get current(): MeshView<C> {
    return this.view;
  }

  /** Pins the view in force for one operation. */
  pin(): PinnedView<C> {
    const view = this.view;
    let entry = this.inFlight.get(view);
    if (entry === undefined) {
      entry = { count: 0, idle: [] };
      this.inFlight.set(view, entry);
    }
    entry.count++;
    const pinned = entry;
    let released = false;
    return {
      view,
      release: () => {
        if (released) return;
        released = true;
        pinned.count--;
        if (pinned.count === 0) {
          this.inFlight.delete(view);
          for (const wake of pinned.idle.splice(0)) wake();
        }
      },
    };
  }

  /** Installs a new view for every operation that starts from now on, and returns it. */
  install(spec: ViewSpec): MeshView<C> {
    this.view = this.make(spec);
    return this.view;
  }

  /** Resolves once no operation is in flight on any view but the current one. */
  async drain(): Promise<void> {
    for (;;) {
      const waits: Promise<void>[] = [];
      for (const [view, entry] of this.inFlight) {
        if (view === this.view) continue;
        waits.push(
          new Promise<void>((resolve) => {
            entry.idle.push(resolve);
          }),
        );
      }
      if (waits.length === 0) return;
      await Promise.all(waits);
    }
  }

  /** Operations in flight on views other than the current one. */
  get draining(): number {
    let n = 0;
    for (const [view, entry] of this.inFlight) if (view !== this.view) n += entry.count;
    return n;
  }

  private make(spec: ViewSpec): MeshView<C> {
    const fillers = spec.fillers ?? NO_FILLERS;
    const next = spec.next;
    return Object.freeze({
      seq: ++this.seq,
      topology: spec.topology,
      ctx: this.bind(spec.topology, fillers),
      fillers,
      migration:
        next === undefined
          ? undefined
          : Object.freeze({ topology: next, ctx: this.bind(next, fillers) }),
      gate: spec.gate,
    });
  }
}
