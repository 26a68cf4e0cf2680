/**
 * Validation of a collection spec, shared by the mesh and the backends.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from './errors.js';
import { optionInteger, rejectUnknownKeys } from './options.js';
import { MAX_DIMENSION, METRICS, type CollectionSpec, type IndexSpec } from './types.js';

/** The fields of a collection spec. */
const SPEC_KEYS: readonly string[] = ['dimension', 'metric', 'index'];

/** The fields of an index spec. */
const INDEX_KEYS: readonly string[] = ['type', 'm', 'efConstruction'];

/**
 * Checks a collection spec: dimension, metric and, when given, the index, and returns a frozen
 * copy. A field it does not know (a misspelt `dimensions`) is refused, not dropped. One rule for
 * the mesh, the memory backend and the reference node.
 *
 * @param spec - The candidate spec.
 * @returns The frozen copy.
 * @throws {@link InvalidArgumentError} (or `InvalidOptionError` for an unknown field or an index
 * parameter) naming the field and what it received.
 * @example
 * ```ts
 * validateCollectionSpec({ dimension: 4, metric: 'l2', index: { type: 'flat' } });
 * ```
 */
export function validateCollectionSpec(spec: unknown): CollectionSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new InvalidArgumentError(`\`spec\` must be an object, received ${describeValue(spec)}`);
  }
  const raw = spec as Record<string, unknown>;
  rejectUnknownKeys(raw, 'spec', SPEC_KEYS);
  const dimension = raw.dimension;
  if (
    typeof dimension !== 'number' ||
    !Number.isInteger(dimension) ||
    dimension < 1 ||
    dimension > MAX_DIMENSION
  ) {
    throw new InvalidArgumentError(
      `\`spec.dimension\` must be an integer in [1, ${MAX_DIMENSION}], received ${describeValue(dimension)}`,
    );
  }
  const metric = raw.metric;
  if (typeof metric !== 'string' || !(METRICS as readonly string[]).includes(metric)) {
    throw new InvalidArgumentError(
      `\`spec.metric\` must be one of ${METRICS.join(', ')}, received ${describeValue(metric)}`,
    );
  }
  const out: CollectionSpec = { dimension, metric: metric as CollectionSpec['metric'] };
  if (raw.index !== undefined) out.index = validateIndex(raw.index);
  return Object.freeze(out);
}

function validateIndex(index: unknown): IndexSpec {
  if (typeof index !== 'object' || index === null || Array.isArray(index)) {
    throw new InvalidArgumentError(
      `\`spec.index\` must be an object, received ${describeValue(index)}`,
    );
  }
  const raw = index as Record<string, unknown>;
  rejectUnknownKeys(raw, 'spec.index', INDEX_KEYS);
  const out: IndexSpec = {};
  if (raw.type !== undefined) {
    if (raw.type !== 'hnsw' && raw.type !== 'flat') {
      throw new InvalidArgumentError(
        `\`spec.index.type\` must be 'hnsw' or 'flat', received ${describeValue(raw.type)}`,
      );
    }
    out.type = raw.type;
  }
  if (raw.m !== undefined) out.m = optionInteger(raw.m, 'spec.index.m', 16, 2, 512);
  if (raw.efConstruction !== undefined) {
    out.efConstruction = optionInteger(
      raw.efConstruction,
      'spec.index.efConstruction',
      128,
      1,
      100_000,
    );
  }
  return Object.freeze(out);
}
