/**
 * Validation of collection names and of `PUT /collections/:name` bodies.
 *
 * @module
 */
import { checkInteger } from '../../backends/argument-checks.js';
import { COLLECTION_NAME_PATTERN, NODE_LIMITS } from '../../backends/reference/protocol.js';
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { isPlainObject } from '../../core/payload.js';
import {
  MAX_DIMENSION,
  METRICS,
  type CollectionSpec,
  type IndexSpec,
  type Metric,
} from '../../core/types.js';
import { bodyObject } from './request-fields.js';

/**
 * Checks a collection name taken from the URL.
 *
 * @param name - The `:name` route parameter (already URL-decoded by fastify).
 * @returns The name.
 * @throws {@link InvalidArgumentError} unless it matches {@link COLLECTION_NAME_PATTERN}.
 *
 * @example
 * ```ts
 * collectionName('docs');   // 'docs'
 * collectionName('../etc'); // throws
 * ```
 */
export function collectionName(name: unknown): string {
  if (typeof name !== 'string' || !COLLECTION_NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(
      `collection name must be 1 to 255 letters, digits, \`_\` or \`-\`, received ${describeValue(name)}`,
    );
  }
  return name;
}

/**
 * Validates the body of `PUT /collections/:name`.
 *
 * @param body - `{ dimension, metric, index?: { type?, m?, efConstruction? } }`.
 * @returns A fresh spec holding only known fields.
 * @throws {@link InvalidArgumentError} naming the first bad field.
 *
 * @example
 * ```ts
 * createSpec({ dimension: 768, metric: 'cosine', index: { type: 'hnsw', m: 16 } });
 * ```
 */
export function createSpec(body: unknown): CollectionSpec {
  const b = bodyObject(body, ['dimension', 'metric', 'index']);
  const dimension = checkInteger(b.dimension, 'dimension', 1, MAX_DIMENSION);
  if (!METRICS.includes(b.metric as Metric)) {
    throw new InvalidArgumentError(
      `\`metric\` must be one of ${METRICS.join(', ')}, received ${describeValue(b.metric)}`,
    );
  }
  const spec: CollectionSpec = { dimension, metric: b.metric as Metric };
  if (b.index !== undefined) spec.index = indexSpec(b.index);
  return spec;
}

function indexSpec(value: unknown): IndexSpec {
  if (!isPlainObject(value)) {
    throw new InvalidArgumentError(`\`index\` must be an object, received ${describeValue(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'type' && key !== 'm' && key !== 'efConstruction') {
      throw new InvalidArgumentError(
        `unknown field \`index.${key}\`; expected \`type\`, \`m\`, \`efConstruction\``,
      );
    }
  }
  const out: IndexSpec = {};
  if (value.type !== undefined) {
    if (value.type !== 'hnsw' && value.type !== 'flat') {
      throw new InvalidArgumentError(
        `\`index.type\` must be 'hnsw' or 'flat', received ${describeValue(value.type)}`,
      );
    }
    out.type = value.type;
  }
  if (value.m !== undefined) out.m = checkInteger(value.m, 'index.m', 2, NODE_LIMITS.maxM);
  if (value.efConstruction !== undefined) {
    out.efConstruction = checkInteger(
      value.efConstruction,
      'index.efConstruction',
      1,
      NODE_LIMITS.maxEf,
    );
  }
  return out;
}
