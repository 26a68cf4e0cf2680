/**
 * Options of the Prometheus sink, the shape of the registry it accepts, and their checks.
 *
 * vecmesh's types do not depend on prom-client (an optional peer): the caller's registry is
 * described by {@link PrometheusRegistry}, the two methods vecmesh uses, and checked by shape,
 * never with `instanceof` (the application's `Registry` may come from another copy or version
 * of prom-client than the one vecmesh loads; see `prometheusMetrics()`).
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../core/errors.js';
import { checkShape } from '../core/optional-dependency.js';
import { DEFAULT_LATENCY_BUCKETS } from './labels.js';

/**
 * The part of a prom-client `Registry` that vecmesh uses. A `Registry` of any prom-client 15.x
 * fits, from whichever copy of prom-client the application has.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * const registry: PrometheusRegistry = new Registry();
 * ```
 */
export interface PrometheusRegistry {
  /**
   * Adds a metric; prom-client's metric constructors call it for each registry in their
   * `registers`, which is how vecmesh's metrics reach yours.
   */
  registerMetric(metric: object): void;
  /** The metric registered under `name`, if any (vecmesh checks that its names are free). */
  getSingleMetric(name: string): unknown;
}

/** The methods {@link PrometheusRegistry} needs, for the shape check. */
const REGISTRY_METHODS = ['registerMetric', 'getSingleMetric'] as const;

/** Options of `prometheusMetrics()`. */
export interface PrometheusMetricsOptions {
  /**
   * The registry to register on: a prom-client 15 `Registry` you own and serve (for example
   * with `await registry.metrics()`). vecmesh never touches prom-client's global registry.
   */
  registry: PrometheusRegistry;
  /**
   * Prefix of every metric name, matching `/^[a-zA-Z_:][a-zA-Z0-9_:]*$/`.
   * @default 'vecmesh_'
   */
  prefix?: string;
  /**
   * Upper bounds, in seconds, of the latency histograms' buckets: finite, > 0, increasing.
   * @default DEFAULT_LATENCY_BUCKETS (0.5 ms to 10 s)
   */
  buckets?: readonly number[];
}

/** {@link PrometheusMetricsOptions} checked, with defaults. */
export interface ResolvedPrometheusMetricsOptions {
  /** The caller's registry. */
  readonly registry: PrometheusRegistry;
  /** Metric name prefix. */
  readonly prefix: string;
  /** Latency histogram buckets, in seconds. */
  readonly buckets: number[];
}

const PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function resolveBuckets(value: unknown): number[] {
  if (value === undefined) return [...DEFAULT_LATENCY_BUCKETS];
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (b, i) =>
        typeof b === 'number' &&
        Number.isFinite(b) &&
        b > 0 &&
        (i === 0 || b > (value[i - 1] as number)),
    );
  if (!ok) {
    throw new InvalidOptionError(
      `\`buckets\` must be a non-empty list of increasing finite numbers > 0, received ${describeValue(value)}`,
    );
  }
  return [...(value as number[])];
}

/**
 * Validates {@link PrometheusMetricsOptions}.
 *
 * @param options - What the caller passed.
 * @returns The registry, prefix and buckets.
 * @throws `InvalidOptionError` when `registry` lacks a method vecmesh calls (naming each), or
 *   `prefix` or `buckets` is malformed.
 * @example
 * ```ts
 * resolvePrometheusMetricsOptions({ registry: {} });
 * // throws InvalidOptionError: `registry` must be a prom-client Registry (new Registry() of
 * //   prom-client 15): it has no method `registerMetric`, method `getSingleMetric`
 * ```
 */
export function resolvePrometheusMetricsOptions(
  options: PrometheusMetricsOptions,
): ResolvedPrometheusMetricsOptions {
  const registry = (options as Partial<PrometheusMetricsOptions> | undefined)?.registry;
  checkShape(registry, 'registry', 'a prom-client Registry (new Registry() of prom-client 15)', {
    methods: REGISTRY_METHODS,
  });
  const prefix = options.prefix ?? 'vecmesh_';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new InvalidOptionError(
      `\`prefix\` must match ${String(PREFIX)}, received ${describeValue(prefix)}`,
    );
  }
  return {
    registry: registry as PrometheusRegistry,
    prefix,
    buckets: resolveBuckets(options.buckets),
  };
}
