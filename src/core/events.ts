/**
 * Typed events the mesh emits for every retry, hedge, breaker change, failover and hint, so that
 * metrics, logs and tests can follow what the resilience machinery does.
 *
 * @module
 */
import type { VecmeshError } from './errors.js';

/** A request is tried again (on the same or another replica). */
export interface RetryEvent {
  /** The operation, e.g. `search`. */
  readonly operation: string;
  /** The replica the retry goes to. */
  readonly replica: string;
  /** The attempt about to start (2 for the first retry). */
  readonly attempt: number;
  /** Backoff before it, in milliseconds (0 when it goes to a fresh replica). */
  readonly delayMs: number;
  /** Why the previous attempt failed. */
  readonly error: VecmeshError;
}

/** A retryable failure was not retried because the retry budget is spent. */
export interface RetryBudgetEvent {
  /** The operation. */
  readonly operation: string;
}

/** A hedged read sent the same request to a second replica. */
export interface HedgeEvent {
  /** The operation. */
  readonly operation: string;
  /** `cluster/shard`. */
  readonly shard: string;
  /** The replica the hedge went to. */
  readonly replica: string;
}

/** The states a replica's circuit breaker moves through. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** A replica's circuit breaker changed state. */
export interface BreakerEvent {
  /** The replica. */
  readonly replica: string;
  /** Its new state. */
  readonly state: BreakerState;
}

/** A health probe found a replica up or down (reported on changes only). */
export interface HealthEvent {
  /** The replica. */
  readonly replica: string;
  /** Whether it answered its probe. */
  readonly healthy: boolean;
  /** The backend's explanation, when it gave one. */
  readonly detail?: string;
}

/** A read moved from one cluster to the next. */
export interface FailoverEvent {
  /** The operation. */
  readonly operation: string;
  /** The cluster that could not answer. */
  readonly from: string;
  /** The cluster tried next. */
  readonly to: string;
  /** Why. */
  readonly reason: string;
}

/** A write a replica missed was stored as a hint, replayed, or could not be kept. */
export interface HintEvent {
  /** The replica. */
  readonly replica: string;
  /**
   * `stored`: kept for later; `overflow`: the store was full, the replica needs `repair()`;
   * `replayed`: delivered; `replay-failed`: the replica failed again (retried on the next beat).
   */
  readonly action: 'stored' | 'replayed' | 'overflow' | 'replay-failed';
  /** Points or ids concerned. */
  readonly count: number;
}

/** `repair()` finished a shard. */
export interface RepairEvent {
  /** The cluster. */
  readonly cluster: string;
  /** The shard. */
  readonly shard: string;
  /** Points copied between its replicas. */
  readonly copied: number;
}

/** A topology change was installed (`updateTopology`, a reshard's cutover, or its abort). */
export interface TopologyChangeEvent {
  /** What installed it. */
  readonly kind: 'update' | 'reshard' | 'reshard-abort';
  /** The epoch now in force. */
  readonly epoch: number;
  /** Replica ids added. */
  readonly added: readonly string[];
  /** Replica ids removed. */
  readonly removed: readonly string[];
}

/** A replica being filled by `updateTopology` received another batch. */
export interface FillProgressEvent {
  /** The replica being filled. */
  readonly replica: string;
  /** The collection being copied. */
  readonly collection: string;
  /** Points of that collection copied to it so far. */
  readonly copied: number;
}

/** A migration copied (or cleaned up) another page. */
export interface ReshardProgressEvent {
  /** `copy` (to the new owners) or `cleanup` (from the old ones). */
  readonly phase: 'copy' | 'cleanup';
  /** The collection. */
  readonly collection: string;
  /** The cluster. */
  readonly cluster: string;
  /** The shard scanned. */
  readonly shard: string;
  /** Points scanned on this shard by this run (copy) or deleted from it (cleanup). */
  readonly scanned: number;
  /** Points of this shard copied to a new owner by this run. */
  readonly moved: number;
  /** Points scanned over the whole migration so far (resumed runs included). */
  readonly total: number;
  /** Points moved over the whole migration so far. */
  readonly movedTotal: number;
  /** Points the old placement holds, as counted before the copy (for a progress bar). */
  readonly expectedTotal: number;
}

/** Every event, by name, with its payload. */
export interface MeshEvents {
  /** A request is tried again. */
  retry: RetryEvent;
  /** A retryable failure was not retried: the budget is spent. */
  'retry-budget-exhausted': RetryBudgetEvent;
  /** A hedged read asked a second replica. */
  hedge: HedgeEvent;
  /** A breaker changed state. */
  breaker: BreakerEvent;
  /** A health probe changed its verdict. */
  health: HealthEvent;
  /** A read moved to another cluster. */
  failover: FailoverEvent;
  /** Hinted handoff activity. */
  hint: HintEvent;
  /** A shard was repaired. */
  repair: RepairEvent;
  /** A topology change was installed. */
  topologyChange: TopologyChangeEvent;
  /** Fill progress of an added replica. */
  fillProgress: FillProgressEvent;
  /** Migration progress. */
  reshardProgress: ReshardProgressEvent;
}

/** The name of a mesh event. */
export type MeshEventName = keyof MeshEvents;

/** A listener of one event. */
export type MeshListener<E extends MeshEventName> = (event: MeshEvents[E]) => void;

/**
 * A small typed emitter. A listener that throws is isolated: the error is dropped, the operation
 * that emitted goes on, and the other listeners still run.
 *
 * @example
 * ```ts
 * mesh.events.on('failover', (e) => logger.warn(`${e.operation}: ${e.from} -> ${e.to}`));
 * ```
 */
export class MeshEventEmitter {
  private readonly listeners = new Map<MeshEventName, Set<(event: never) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<E extends MeshEventName>(name: E, listener: MeshListener<E>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener);
    return () => {
      this.off(name, listener);
    };
  }

  /** Removes a listener. */
  off<E extends MeshEventName>(name: E, listener: MeshListener<E>): void {
    this.listeners.get(name)?.delete(listener);
  }

  /** Whether anything listens to `name` (so that callers can skip building the payload). */
  has(name: MeshEventName): boolean {
    return (this.listeners.get(name)?.size ?? 0) > 0;
  }

  /** Calls every listener of `name` with `event`. @internal */
  emit<E extends MeshEventName>(name: E, event: MeshEvents[E]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as MeshListener<E>)(event);
      } catch {
        // A listener's failure must not fail the operation that emitted the event.
      }
    }
  }
}
