/**
 * Validation of a search request, done once before any backend is asked.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../core/errors.js';
import type { Filter, FilterNode } from '../core/filter-ast.js';
import { parseFilter } from '../core/filter.js';
import type { CollectionSpec, SearchParams, Vector } from '../core/types.js';
import { toVector } from '../core/vector.js';
import type { ResolvedMeshOptions } from './options.js';

/**
 * A batched similarity search.
 *
 * @example
 * ```ts
 * const { hits } = await docs.search({ vectors: [q1, q2], topK: 10, filter: { lang: 'en' } });
 * hits[0]; // the 10 best hits for q1
 * ```
 */
export interface SearchRequest {
  /** Query vectors; one list of hits comes back per vector, in the same order. */
  vectors: readonly Vector[];
  /** Hits wanted per query vector, 1..`limits.maxTopK` (together with `offset`). */
  topK: number;
  /**
   * Best hits to skip before the `topK` returned (paging).
   * @default 0
   */
  offset?: number;
  /** Only points whose payload matches. */
  filter?: Filter;
  /**
   * Return each hit's payload.
   * @default true
   */
  includePayload?: boolean;
  /**
   * Return each hit's vector.
   * @default false
   */
  includeVector?: boolean;
  /** Index tuning passed to every backend. */
  params?: SearchParams;
}

/** A search request after validation. */
export interface PreparedSearch {
  readonly vectors: readonly Float32Array[];
  readonly topK: number;
  readonly offset: number;
  readonly filter: FilterNode | undefined;
  readonly includePayload: boolean;
  readonly includeVector: boolean;
  readonly params: SearchParams | undefined;
}

const REQUEST_KEYS = [
  'vectors',
  'topK',
  'offset',
  'filter',
  'includePayload',
  'includeVector',
  'params',
];

/**
 * Validates a search request against the collection's spec and the mesh's limits.
 *
 * @throws {@link InvalidArgumentError} (or its subclasses `InvalidVectorError`,
 * `InvalidFilterError`) naming the field and what it received.
 */
export function prepareSearch(
  request: unknown,
  spec: CollectionSpec,
  options: ResolvedMeshOptions,
): PreparedSearch {
  const raw = asObject(request, 'request');
  rejectUnknown(raw, '', REQUEST_KEYS);
  const { maxTopK, maxQueries } = options.limits;
  if (!Array.isArray(raw.vectors) || raw.vectors.length === 0) {
    throw new InvalidArgumentError(
      `\`vectors\` must be a non-empty array of vectors, received ${describeValue(raw.vectors)}`,
    );
  }
  if (raw.vectors.length > maxQueries) {
    throw new InvalidArgumentError(
      `\`vectors\` has ${raw.vectors.length} query vectors, more than \`limits.maxQueries\` (${maxQueries})`,
    );
  }
  const vectors = (raw.vectors as unknown[]).map((v, i) =>
    toVector(v, spec.dimension, `vectors[${i}]`, spec.metric),
  );
  const topK = count(raw.topK, 'topK', 1);
  const offset = raw.offset === undefined ? 0 : count(raw.offset, 'offset', 0);
  if (topK + offset > maxTopK) {
    throw new InvalidArgumentError(
      `\`topK\` + \`offset\` is ${topK + offset}, over \`limits.maxTopK\` (${maxTopK})`,
    );
  }
  return {
    vectors,
    topK,
    offset,
    filter: parseFilter(raw.filter),
    includePayload: flag(raw.includePayload, 'includePayload', true),
    includeVector: flag(raw.includeVector, 'includeVector', false),
    params: prepareParams(raw.params),
  };
}

function prepareParams(value: unknown): SearchParams | undefined {
  if (value === undefined) return undefined;
  const raw = asObject(value, 'params');
  rejectUnknown(raw, 'params.', ['ef', 'exact']);
  const params: SearchParams = {};
  if (raw.ef !== undefined) params.ef = count(raw.ef, 'params.ef', 1);
  if (raw.exact !== undefined) params.exact = flag(raw.exact, 'params.exact', false);
  return params;
}

function rejectUnknown(
  raw: Record<string, unknown>,
  prefix: string,
  keys: readonly string[],
): void {
  for (const key of Object.keys(raw)) {
    if (!keys.includes(key)) {
      throw new InvalidArgumentError(
        `unknown search field \`${prefix}${key}\`; expected one of ${keys.join(', ')}`,
      );
    }
  }
}

function asObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(
      `\`${name}\` must be an object, received ${describeValue(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

function count(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(
      `\`${name}\` must be an integer >= ${min}, received ${describeValue(value)}`,
    );
  }
  return value;
}

function flag(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new InvalidArgumentError(
      `\`${name}\` must be a boolean, received ${describeValue(value)}`,
    );
  }
  return value;
}
