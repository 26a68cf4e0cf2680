/**
 * The HNSW index of one collection: a thin wrapper around a usearch `Index` that speaks in
 * labels (the point table's small integers) instead of bigint keys.
 *
 * usearch distances are `1 - cos` for `cos`, `1 - dot` for `ip` and the squared distance for
 * `l2sq`, computed in float32. The store does not use them as scores: it rescores the
 * candidates exactly (float64 sums, see `core/vector.ts`), so that a hit scores the same
 * whether it came from the graph or from an exact scan, and ties sort the same way.
 *
 * The search expansion (`ef`) of a usearch index is fixed when it is built, but usearch searches
 * with `max(ef, k)` candidates. A request that asks for a larger `ef` than the index's is
 * therefore served by asking usearch for `ef` results and keeping the best `k` of them: the
 * same graph walk as a search with that `ef`. A smaller `ef` than the index's gets the index's.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type * as Usearch from 'usearch';
import type {
  BatchMatches as UsearchBatchMatches,
  Index as UsearchIndex,
  Matches,
  MetricKind as UsearchMetricKind,
} from 'usearch';
import type { Metric } from '../../core/types.js';

// usearch's CommonJS build, on purpose: its ES module build finds its native binary from the
// call stack, which loops forever when an application loads vecmesh with require() (Node
// >= 20.19 evaluates ES modules synchronously then); the CommonJS build uses __dirname.
const { BatchMatches, Index, MetricKind, ScalarKind } = createRequire(import.meta.url)(
  'usearch',
) as typeof Usearch;

const METRIC_KINDS: Readonly<Record<Metric, UsearchMetricKind>> = {
  cosine: MetricKind.Cos,
  ip: MetricKind.IP,
  l2: MetricKind.L2sq,
};

// Bounds the result arrays of one usearch call (keys and distances: 12 bytes per entry).
const MAX_RESULTS_PER_CALL = 1 << 20;

/** What an index is built with. */
export interface AnnParams {
  /** Vector length. */
  readonly dimension: number;
  /** The collection's metric. */
  readonly metric: Metric;
  /** Graph degree (`connectivity`). */
  readonly m: number;
  /** Build-time expansion (`expansion_add`). */
  readonly efConstruction: number;
  /** Search expansion (`expansion_search`). */
  readonly efSearch: number;
}

/**
 * An HNSW graph over a collection's vectors, keyed by label.
 *
 * @example
 * ```ts
 * const index = new AnnIndex({ dimension: 2, metric: 'l2', m: 16, efConstruction: 128, efSearch: 64 });
 * index.add([0, 1], [Float32Array.of(0, 0), Float32Array.of(1, 1)]);
 * index.search([Float32Array.of(0.9, 0.9)], 1); // [[1]]
 * ```
 */
export class AnnIndex {
  /** The parameters it was built with. */
  readonly params: AnnParams;
  private readonly native: UsearchIndex;

  /**
   * @param params - Dimension, metric and HNSW parameters.
   * @throws the usearch error when the native index cannot be made.
   */
  constructor(params: AnnParams) {
    this.params = params;
    this.native = new Index({
      dimensions: params.dimension,
      metric: METRIC_KINDS[params.metric],
      quantization: ScalarKind.F32,
      connectivity: params.m,
      expansion_add: params.efConstruction,
      expansion_search: params.efSearch,
      multi: false,
    });
  }

  /** Vectors indexed. */
  get size(): number {
    return this.native.size();
  }

  /**
   * Adds vectors under labels that are not in the index (remove a label before adding it again).
   * A batch is inserted on every core.
   *
   * @throws the usearch error, e.g. for a label that is already there.
   */
  add(labels: readonly number[], vectors: readonly Float32Array[]): void {
    if (labels.length === 0) return;
    const d = this.params.dimension;
    const matrix = new Float32Array(labels.length * d);
    vectors.forEach((v, i) => {
      matrix.set(v, i * d);
    });
    this.native.add(toKeys(labels), matrix, 0);
  }

  /** Removes labels; labels that are not there are ignored. */
  remove(labels: readonly number[]): void {
    if (labels.length > 0) this.native.remove(toKeys(labels));
  }

  /**
   * Whether each label is in the index.
   *
   * @returns One answer per label, in order.
   */
  containsEach(labels: readonly number[]): boolean[] {
    if (labels.length === 0) return [];
    const found = this.native.contains(toKeys(labels));
    return Array.isArray(found) ? found : [found];
  }

  /**
   * The approximate nearest labels of each query, nearest first by usearch's float32 distance.
   * Queries are sent to usearch in batches (searched on every core).
   *
   * @param queries - Query vectors of the index's dimension.
   * @param wanted - Candidates per query; the walk uses `max(efSearch, wanted)`.
   * @returns One list of labels per query, at most `wanted` long.
   */
  search(queries: readonly Float32Array[], wanted: number): number[][] {
    const d = this.params.dimension;
    const out: number[][] = [];
    const perCall = Math.max(1, Math.floor(MAX_RESULTS_PER_CALL / wanted));
    for (let start = 0; start < queries.length; start += perCall) {
      const chunk = queries.slice(start, start + perCall);
      const matrix = new Float32Array(chunk.length * d);
      chunk.forEach((q, i) => {
        matrix.set(q, i * d);
      });
      // One query comes back as Matches, several as BatchMatches (usearch decides by length).
      const result: Matches | UsearchBatchMatches = this.native.search(matrix, wanted, 0);
      if (result instanceof BatchMatches) {
        for (let i = 0; i < chunk.length; i++) {
          const count = Number(result.counts[i]);
          out.push(toLabels(result.keys.subarray(i * wanted, i * wanted + count)));
        }
      } else {
        out.push(toLabels(result.keys));
      }
    }
    return out;
  }

  /**
   * Writes the index to a file (synchronously: usearch has no asynchronous save).
   *
   * @throws the usearch error when the file cannot be written.
   */
  save(path: string): void {
    this.native.save(path);
  }

  /**
   * Loads an index written by {@link AnnIndex.save}.
   *
   * @param path - The file.
   * @param params - What the index must have been built with.
   * @returns The index, or `undefined` when the file cannot be read or holds an index of
   *   another dimension.
   */
  static load(path: string, params: AnnParams): AnnIndex | undefined {
    const index = new AnnIndex(params);
    try {
      index.native.load(path);
    } catch {
      return undefined;
    }
    return index.native.dimensions() === params.dimension ? index : undefined;
  }
}

function toKeys(labels: readonly number[]): BigUint64Array {
  const keys = new BigUint64Array(labels.length);
  for (let i = 0; i < labels.length; i++) keys[i] = BigInt(labels[i] as number);
  return keys;
}

function toLabels(keys: BigUint64Array): number[] {
  const out = new Array<number>(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = Number(keys[i]);
  return out;
}
