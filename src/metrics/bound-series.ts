/**
 * Hot-path metrics: prom-client counters and histograms whose series are bound once to their
 * label values and then updated with plain arithmetic, with no label hashing or validation per
 * call. Each is a real prom-client metric (it registers, scrapes, resets and merges like any
 * other); only its `get()` also reports the bound series.
 *
 * prom-client is an optional peer, so the classes cannot extend it at import time: they are
 * defined by {@link boundSeriesClasses} on the prom-client module it is given, once per module.
 *
 * @module
 */
import type * as PromClient from 'prom-client';
import type {
  Counter,
  CounterConfiguration,
  Histogram,
  HistogramConfiguration,
  LabelValues,
  MetricObjectWithValues,
  MetricValue,
  MetricValueWithName,
} from 'prom-client';

/** A histogram value as prom-client passes it between `getForPromString()` and `get()`. */
type ExportedValue<T extends string> = MetricValueWithName<T> & {
  sharedLabels: Readonly<Record<string, string | number>>;
};

/** One counter series bound to its labels. */
export class CounterSeries {
  /** The running total. */
  value = 0;

  /** @param labels - Its label values, frozen. */
  constructor(readonly labels: Readonly<Record<string, string>>) {}

  /** Adds one. */
  inc(): void {
    this.value++;
  }
}

/** One histogram series bound to its labels. */
export class HistogramSeries {
  /** Observations per bucket, not cumulative; the last slot is `+Inf`. */
  readonly counts: Float64Array;
  /** Sum of the observations. */
  sum = 0;
  /** Number of observations. */
  count = 0;

  /**
   * @param labels - Its label values, frozen.
   * @param bounds - The buckets' upper bounds, increasing.
   */
  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Records one observation (`le` semantics: a value equal to a bound falls in that bucket). */
  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

/** A prom-client `Counter` that also hands out bound series. */
export interface BoundCounter<T extends string> extends Counter<T> {
  /**
   * A series for `labels`. Bind each label set once and keep the series: binding the same labels
   * twice gives two series that would be reported as duplicates.
   */
  bind(labels: Readonly<Record<T, string>>): CounterSeries;
}

/** A prom-client `Histogram` that also hands out bound series. */
export interface BoundHistogram<T extends string> extends Histogram<T> {
  /** A series for `labels`; bind each label set once and keep the series. */
  bind(labels: Readonly<Record<T, string>>): HistogramSeries;
}

/** The bound metric classes, defined on one prom-client module. */
export interface BoundSeriesClasses {
  /** A `Counter` with `bind()`. */
  readonly BoundCounter: new <T extends string>(config: CounterConfiguration<T>) => BoundCounter<T>;
  /** A `Histogram` with `bind()`; `buckets` is required. */
  readonly BoundHistogram: new <T extends string>(
    config: HistogramConfiguration<T> & { buckets: number[] },
  ) => BoundHistogram<T>;
}

const defined = new WeakMap<object, BoundSeriesClasses>();

/**
 * The bound metric classes extending the `Counter` and `Histogram` of `pc`, defined on the first
 * call for that module and reused after.
 *
 * @param pc - The prom-client module (as `loadOptional('prom-client', ...)` returns it).
 * @returns The two classes.
 * @example
 * ```ts
 * const { BoundCounter } = boundSeriesClasses(loadOptional('prom-client', 'metrics'));
 * const c = new BoundCounter({ name: 'x_total', help: 'x', labelNames: ['op'], registers: [r] });
 * const search = c.bind({ op: 'search' });
 * search.inc();
 * ```
 */
export function boundSeriesClasses(pc: typeof PromClient): BoundSeriesClasses {
  let classes = defined.get(pc);
  if (classes === undefined) {
    classes = defineClasses(pc);
    defined.set(pc, classes);
  }
  return classes;
}

function defineClasses(pc: typeof PromClient): BoundSeriesClasses {
  /** prom-client's own `Histogram#getForPromString` (present at runtime, absent from its types). */
  const baseGetForPromString = (
    pc.Histogram.prototype as unknown as {
      getForPromString: (this: Histogram) => Promise<unknown>;
    }
  ).getForPromString;

  /** A counter with bound series for hot paths, besides the usual `inc(labels)`. */
  class BoundCounter<T extends string> extends pc.Counter<T> {
    // Not initialised here: prom-client's constructor calls reset() before subclass fields exist.
    private bound: CounterSeries[] | undefined;

    /** {@inheritDoc BoundCounter.bind} */
    bind(labels: Readonly<Record<T, string>>): CounterSeries {
      const series = new CounterSeries(Object.freeze({ ...labels }));
      (this.bound ??= []).push(series);
      return series;
    }

    /** {@inheritDoc prom-client#Counter.get} */
    override async get(): Promise<MetricObjectWithValues<MetricValue<T>>> {
      const data = await super.get();
      for (const s of this.bound ?? []) {
        if (s.value > 0) data.values.push({ labels: s.labels as LabelValues<T>, value: s.value });
      }
      return data;
    }

    /** Zeroes every series, bound ones included. */
    override reset(): void {
      super.reset();
      for (const s of this.bound ?? []) s.value = 0;
    }
  }

  /** A histogram with bound series for hot paths, besides the usual `observe(labels, value)`. */
  class BoundHistogram<T extends string> extends pc.Histogram<T> {
    // Not initialised here: prom-client's constructor calls reset() before subclass fields exist.
    private bound: HistogramSeries[] | undefined;
    private readonly bounds: readonly number[];
    private readonly metricName: string;

    /**
     * @param config - As for prom-client's `Histogram`; `buckets` is required.
     * @throws `Error` from prom-client when `buckets` is missing.
     */
    constructor(config: HistogramConfiguration<T> & { buckets: number[] }) {
      super(config);
      this.bounds = Object.freeze([...config.buckets]);
      this.metricName = config.name;
    }

    /** {@inheritDoc BoundHistogram.bind} */
    bind(labels: Readonly<Record<T, string>>): HistogramSeries {
      const series = new HistogramSeries(Object.freeze({ ...labels }), this.bounds);
      (this.bound ??= []).push(series);
      return series;
    }

    /**
     * What the registry formats: prom-client's own series, then the bound ones. (prom-client's
     * `get()` calls this and spreads `sharedLabels` into `labels`.)
     */
    async getForPromString(): Promise<MetricObjectWithValues<ExportedValue<T>>> {
      const data = (await baseGetForPromString.call(this)) as MetricObjectWithValues<
        ExportedValue<T>
      >;
      const name = this.metricName;
      for (const s of this.bound ?? []) {
        if (s.count === 0) continue;
        let cumulative = 0;
        const labels = s.labels as LabelValues<T>;
        for (let i = 0; i <= this.bounds.length; i++) {
          cumulative += s.counts[i] as number;
          const le = i < this.bounds.length ? (this.bounds[i] as number) : '+Inf';
          data.values.push({
            labels: { ...labels, le },
            sharedLabels: {},
            value: cumulative,
            metricName: `${name}_bucket`,
          });
        }
        data.values.push({ labels, sharedLabels: {}, value: s.sum, metricName: `${name}_sum` });
        data.values.push({ labels, sharedLabels: {}, value: s.count, metricName: `${name}_count` });
      }
      return data;
    }

    /** Zeroes every series, bound ones included. */
    override reset(): void {
      super.reset();
      for (const s of this.bound ?? []) {
        s.counts.fill(0);
        s.sum = 0;
        s.count = 0;
      }
    }
  }

  return { BoundCounter, BoundHistogram };
}
