/**
 * The shared state and helpers of one conformance run: the backend under test, unique
 * collection names, and assertions that honour the run's options.
 *
 * @module
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { VectorBackend } from '../../src/backends/backend.js';
import type { Filter } from '../../src/core/filter-ast.js';
import { parseFilter } from '../../src/core/filter.js';
import { idKey } from '../../src/core/ids.js';
import type { CollectionSpec, Hit, PointId } from '../../src/core/types.js';
import type { FilterCase, LabelledPoint } from './fixtures.js';

/** What a conformance run needs: a backend, and how to tidy up after it. */
export interface ConformanceSubject {
  /** A backend that is not yet connected. */
  backend: VectorBackend;
  /** Called after the backend is closed, e.g. to stop a server. */
  cleanup?: () => Promise<void>;
}

/** Options of `describeConformance`. */
export interface ConformanceOptions {
  /**
   * Check scores to within 1e-4 of the exact values; otherwise only the order of hits.
   * @default false
   */
  exactScores?: boolean;
  /**
   * Whether the backend can filter with string ranges (`{ name: { $gt: 'b' } }`). `'refused'`
   * checks instead that such a filter is refused with `InvalidFilterError` (Qdrant cannot order
   * strings), never answered differently.
   * @default 'supported'
   */
  stringRanges?: 'supported' | 'refused';
}

/** Extra fields of a search in the suite's helpers. */
export interface SearchExtras {
  filter?: Filter;
  includePayload?: boolean;
  includeVector?: boolean;
}

/** What every group of conformance tests receives. */
export interface ConformanceContext {
  /** The run's options. */
  readonly options: ConformanceOptions;
  /** Creates another, unconnected subject (for lifecycle tests). */
  readonly makeBackend: () => Promise<ConformanceSubject>;
  /** The connected backend under test. */
  readonly backend: () => VectorBackend;
  /** Creates a collection under a unique name; it is dropped after the current test. */
  readonly collection: (spec: CollectionSpec) => Promise<string>;
  /** Searches with a caller-style filter. */
  readonly search: (
    name: string,
    vectors: Float32Array[],
    topK: number,
    extra?: SearchExtras,
  ) => Promise<Hit[][]>;
  /** Checks ids in order, and scores when `exactScores` is on. */
  readonly expectRanking: (hits: readonly Hit[], expected: readonly [PointId, number][]) => void;
  /** Upserts labelled points with vectors `[i + 1, 0]` (dimension 2). */
  readonly upsertLabelled: (name: string, points: readonly LabelledPoint[]) => Promise<void>;
  /** Checks one filter case through both `search` and `count`. */
  readonly expectFilterCase: (name: string, c: FilterCase) => Promise<void>;
}

const RUN = `vmconf_${process.pid.toString(36)}_${Date.now().toString(36)}`;
let collectionCounter = 0;

/** A collection name no other test of this process (or of a concurrent run) uses. */
export function uniqueName(): string {
  collectionCounter++;
  return `${RUN}_${collectionCounter}`;
}

/** A `Float32Array` of the given values. */
export const f32 = (...values: number[]): Float32Array => Float32Array.from(values);

/** Ids as sorted `idKey`s, to compare sets of ids of mixed types. */
export const sortedKeys = (ids: readonly PointId[]): string[] => ids.map(idKey).sort();

/**
 * Registers the hooks of a run (connect before, drop collections after each test, close after
 * all) and returns the helpers. Call it inside a `describe` block.
 */
export function conformanceContext(
  makeBackend: () => Promise<ConformanceSubject>,
  options: ConformanceOptions,
): ConformanceContext {
  let subject: ConformanceSubject | undefined;
  const created: string[] = [];
  const backend = (): VectorBackend => {
    if (subject === undefined) throw new Error('the backend was not created');
    return subject.backend;
  };

  beforeAll(async () => {
    subject = await makeBackend();
    await subject.backend.connect();
  });

  afterEach(async () => {
    for (const name of created.splice(0)) await backend().dropCollection(name);
  });

  afterAll(async () => {
    if (subject === undefined) return;
    await subject.backend.close();
    await subject.cleanup?.();
  });

  async function search(
    name: string,
    vectors: Float32Array[],
    topK: number,
    extra: SearchExtras = {},
  ): Promise<Hit[][]> {
    const filter = parseFilter(extra.filter);
    return backend().search(name, {
      vectors,
      topK,
      ...(filter === undefined ? {} : { filter }),
      includePayload: extra.includePayload ?? false,
      includeVector: extra.includeVector ?? false,
    });
  }

  return {
    options,
    makeBackend,
    backend,
    search,
    async collection(spec) {
      const name = uniqueName();
      created.push(name);
      await backend().createCollection(name, spec);
      return name;
    },
    expectRanking(hits, expected) {
      expect(hits.map((h) => h.id)).toEqual(expected.map(([id]) => id));
      if (options.exactScores !== true) return;
      hits.forEach((hit, i) => {
        const want = expected[i]![1];
        expect(Math.abs(hit.score - want), `score of ${String(hit.id)}`).toBeLessThanOrEqual(1e-4);
      });
    },
    async upsertLabelled(name, points) {
      await backend().upsert(
        name,
        points.map((p, i) => ({
          id: p.id,
          vector: [i + 1, 0],
          ...(p.payload === undefined ? {} : { payload: p.payload }),
        })),
      );
    },
    async expectFilterCase(name, c) {
      const [hits] = await search(name, [f32(0, 0)], 100, { filter: c.filter });
      expect(sortedKeys(hits!.map((h) => h.id))).toEqual(sortedKeys(c.expected));
      expect(await backend().count(name, parseFilter(c.filter))).toBe(c.expected.length);
    },
  };
}
