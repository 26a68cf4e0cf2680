/**
 * Subscribes a {@link MetricsSink} to every event a mesh emits.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../core/errors.js';
import type { MeshEventEmitter, MeshEventName } from '../core/events.js';
import type { MetricsSink } from './metrics-sink.js';

/** Every mesh event name; the `satisfies` below fails to compile when `MeshEvents` grows. */
const EVENT_FLAGS = {
  retry: true,
  'retry-budget-exhausted': true,
  hedge: true,
  breaker: true,
  health: true,
  failover: true,
  hint: true,
  repair: true,
  topologyChange: true,
  fillProgress: true,
  reshardProgress: true,
} as const satisfies Record<MeshEventName, true>;

/** The names of every mesh event, in a fixed order. */
export const MESH_EVENT_NAMES: readonly MeshEventName[] = Object.freeze(
  Object.keys(EVENT_FLAGS) as MeshEventName[],
);

/** What {@link bindMeshEvents} needs of an emitter: its `on` method (a `Mesh`'s `events`). */
export interface MeshEventSource {
  /** Adds a listener and returns the function that removes it. */
  on: MeshEventEmitter['on'];
}

/**
 * Forwards every mesh event (retries, budget exhaustion, hedges, breaker changes, health
 * verdicts, failovers, hints, repairs) to `sink.event()`.
 *
 * @param events - The emitter, e.g. `mesh.events`.
 * @param sink - Where the events go.
 * @returns A function that removes every listener it added; calling it twice is harmless.
 * @throws {@link InvalidArgumentError} when `events` has no `on` method or `sink` no `event`.
 * @example
 * ```ts
 * const metrics = prometheusMetrics({ registry });
 * const unbind = bindMeshEvents(mesh.events, metrics);
 * // ...
 * unbind();
 * ```
 */
export function bindMeshEvents(events: MeshEventSource, sink: MetricsSink): () => void {
  if (typeof (events as Partial<MeshEventSource> | null)?.on !== 'function') {
    throw new InvalidArgumentError(
      `\`events\` must be a mesh event emitter (mesh.events), received ${describeValue(events)}`,
    );
  }
  if (typeof (sink as Partial<MetricsSink> | null)?.event !== 'function') {
    throw new InvalidArgumentError(
      `\`sink\` must be a MetricsSink, received ${describeValue(sink)}`,
    );
  }
  let offs: (() => void)[] = MESH_EVENT_NAMES.map((name) =>
    events.on(name, (event) => {
      sink.event(name, event);
    }),
  );
  return () => {
    const current = offs;
    offs = [];
    for (const off of current) off();
  };
}
