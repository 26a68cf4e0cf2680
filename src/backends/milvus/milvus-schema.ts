/**
 * How a vecmesh collection is laid out in Milvus: the schema (a VarChar primary key holding a
 * type-tagged id, a float vector, the JSON payload and a JSON list of field tags that filters
 * use), the metric and index mapping, and collection-name rules.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { FIELD_NAME_PATTERN } from '../../core/filter-ast.js';
import { idKey, parseIdKey } from '../../core/ids.js';
import type { CollectionSpec, Metric, Payload, PointId } from '../../core/types.js';
import { jsonTypeTag } from '../../core/payload.js';
import { MILVUS_LIMITS, type MilvusIndexOption } from './milvus-options.js';

/** Field names of a vecmesh collection in Milvus. */
export const MILVUS_FIELDS = Object.freeze({
  /** VarChar primary key: `n:<integer>` or `s:<string>` (see `idKey`), so `1` and `'1'` differ. */
  id: 'vm_id',
  /** FloatVector of the collection's dimension. */
  vector: 'vm_vector',
  /** JSON: the point's payload, as given. */
  payload: 'vm_payload',
  /** JSON array of `<type>:<field>` tags of the payload's top-level fields, which filters test. */
  tags: 'vm_fields',
});

/**
 * `max_length` of the primary key. Real Milvus counts UTF-8 bytes: an id of 512 UTF-16 code
 * units is at most 1,536 bytes, plus the 2-byte type prefix.
 */
export const ID_MAX_BYTES = 2048;

/** Longest Milvus collection name. */
export const MAX_MILVUS_NAME_LENGTH = 255;

/** Milvus collection names: a letter or underscore, then letters, digits and underscores. */
export const MILVUS_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

const METRIC_TO_MILVUS: Readonly<Record<Metric, string>> = {
  cosine: 'COSINE',
  ip: 'IP',
  l2: 'L2',
};

/**
 * The Milvus metric of a vecmesh metric. Milvus scores match vecmesh's conventions: `COSINE` is
 * the cosine similarity, `IP` the dot product, `L2` the squared Euclidean distance.
 *
 * @param metric - A vecmesh metric.
 * @returns `COSINE`, `IP` or `L2`.
 *
 * @example
 * ```ts
 * toMilvusMetric('l2'); // 'L2'
 * ```
 */
export function toMilvusMetric(metric: Metric): string {
  return METRIC_TO_MILVUS[metric];
}

/**
 * The vecmesh metric of a Milvus metric name, or `undefined` for one vecmesh does not know.
 *
 * @param metric - E.g. `COSINE`.
 * @returns The vecmesh metric.
 *
 * @example
 * ```ts
 * fromMilvusMetric('IP'); // 'ip'
 * fromMilvusMetric('HAMMING'); // undefined
 * ```
 */
export function fromMilvusMetric(metric: string): Metric | undefined {
  const upper = metric.toUpperCase();
  for (const [mine, theirs] of Object.entries(METRIC_TO_MILVUS)) {
    if (theirs === upper) return mine as Metric;
  }
  return undefined;
}

/**
 * Checks a collection name against Milvus's rules.
 *
 * @param name - The candidate name (the mesh passes `${namespace}__${collection}`).
 * @param endpoint - The backend, for the message.
 * @returns The name.
 * @throws {@link InvalidArgumentError} when it is not a string of 1..255 letters, digits and
 *   underscores that starts with a letter or an underscore.
 *
 * @example
 * ```ts
 * checkCollectionName('s0__docs', 'http://127.0.0.1:19530'); // 's0__docs'
 * checkCollectionName('my-docs', 'http://127.0.0.1:19530');  // throws
 * ```
 */
export function checkCollectionName(name: unknown, endpoint: string): string {
  if (
    typeof name !== 'string' ||
    name.length > MAX_MILVUS_NAME_LENGTH ||
    !MILVUS_NAME_PATTERN.test(name)
  ) {
    throw new InvalidArgumentError(
      `${endpoint}: a Milvus collection name must be 1 to ${MAX_MILVUS_NAME_LENGTH} letters, digits and underscores, starting with a letter or an underscore; received ${describeValue(name)}`,
    );
  }
  return name;
}

/**
 * The primary key of an id: its `idKey`. Throws for what Milvus cannot store faithfully.
 *
 * @param id - A point id (checked by `validateId` before).
 * @param path - Where the id came from, for the message.
 * @returns `n:<integer>` or `s:<string>`.
 * @throws {@link InvalidArgumentError} when a string id holds a lone surrogate (gRPC carries
 *   UTF-8, which cannot encode one) or its key exceeds {@link ID_MAX_BYTES} bytes.
 *
 * @example
 * ```ts
 * encodeId(7, 'id');   // 'n:7'
 * encodeId('7', 'id'); // 's:7'
 * ```
 */
export function encodeId(id: PointId, path: string): string {
  const key = idKey(id);
  if (typeof id === 'string') {
    if (hasLoneSurrogate(id)) {
      throw new InvalidArgumentError(
        `\`${path}\` holds a lone UTF-16 surrogate, which Milvus cannot store (gRPC strings are UTF-8)`,
      );
    }
    const bytes = Buffer.byteLength(key, 'utf8');
    if (bytes > ID_MAX_BYTES) {
      throw new InvalidArgumentError(
        `\`${path}\` is ${bytes} bytes long as a Milvus key, more than the ${ID_MAX_BYTES} the primary key holds`,
      );
    }
  }
  return key;
}

/**
 * Reads a primary key back into its id.
 *
 * @param key - A stored primary key.
 * @returns The id, or `undefined` for a key vecmesh did not write.
 *
 * @example
 * ```ts
 * decodeId('n:7'); // 7
 * ```
 */
export function decodeId(key: unknown): PointId | undefined {
  return typeof key === 'string' ? parseIdKey(key) : undefined;
}

/**
 * The field tags of a payload: one `<type>:<field>` string per top-level field whose name a
 * filter can use (it matches `FIELD_NAME_PATTERN`), with type `s` string, `n` number, `b`
 * boolean, `z` null, `a` array, `o` object. Filters test these tags with `json_contains`, which
 * is true or false even for a missing field, so that every comparison has the exact,
 * type-strict, two-valued meaning of `filter-ast.ts` on servers that use three-valued logic for
 * missing JSON keys (Milvus Lite) and on those that do not (Milvus).
 *
 * @param payload - A validated payload, or `undefined`.
 * @returns The tags.
 *
 * @example
 * ```ts
 * fieldTags({ lang: 'en', year: 2020, tag: null, 'with space': 1 }); // ['s:lang', 'n:year', 'z:tag']
 * ```
 */
export function fieldTags(payload: Payload | undefined): string[] {
  const tags: string[] = [];
  if (payload === undefined) return tags;
  for (const [key, value] of Object.entries(payload)) {
    if (FIELD_NAME_PATTERN.test(key)) tags.push(`${jsonTypeTag(value)}:${key}`);
  }
  return tags;
}

/**
 * One field of a vecmesh collection as the SDK's `createCollection` takes it. The type is named
 * (`'VarChar'`), which the SDK accepts as well as its `DataType` numbers, so that this module
 * needs no SDK at run time (it is an optional peer) and its declarations mention none.
 */
export interface MilvusFieldSpec {
  /** One of {@link MILVUS_FIELDS}. */
  readonly name: string;
  /** The SDK's name of the field's data type. */
  readonly data_type: 'VarChar' | 'FloatVector' | 'JSON';
  /** Set on the primary key. */
  readonly is_primary_key?: boolean;
  /** `false` on the primary key: vecmesh writes the keys. */
  readonly autoID?: boolean;
  /** Longest VarChar value. */
  readonly max_length?: number;
  /** The vector dimension. */
  readonly dim?: number;
}

/**
 * The Milvus fields of a collection of this dimension.
 *
 * @param dimension - The vector dimension.
 * @returns The field list for `createCollection`.
 *
 * @example
 * ```ts
 * collectionFields(768).map((f) => f.name); // ['vm_id', 'vm_vector', 'vm_payload', 'vm_fields']
 * ```
 */
export function collectionFields(dimension: number): MilvusFieldSpec[] {
  return [
    {
      name: MILVUS_FIELDS.id,
      data_type: 'VarChar',
      is_primary_key: true,
      autoID: false,
      max_length: ID_MAX_BYTES,
    },
    { name: MILVUS_FIELDS.vector, data_type: 'FloatVector', dim: dimension },
    { name: MILVUS_FIELDS.payload, data_type: 'JSON' },
    { name: MILVUS_FIELDS.tags, data_type: 'JSON' },
  ];
}

/** The index Milvus builds, as `createIndex` takes it. */
export interface MilvusIndexPlan {
  /** `HNSW`, `AUTOINDEX` or `FLAT`. */
  readonly indexType: string;
  /** Build parameters. */
  readonly params: Readonly<Record<string, number>>;
}

/**
 * The index to build for a collection: the adapter's `index` option when set, else the spec's.
 *
 * @param spec - The collection spec.
 * @param option - The adapter's `index` option.
 * @returns Index type and build parameters.
 *
 * @example
 * ```ts
 * indexPlan({ dimension: 2, metric: 'l2', index: { type: 'flat' } }, undefined); // FLAT
 * ```
 */
export function indexPlan(
  spec: CollectionSpec,
  option: Readonly<MilvusIndexOption> | undefined,
): MilvusIndexPlan {
  if (option !== undefined) {
    if (option.type !== 'HNSW') return { indexType: option.type, params: {} };
    return {
      indexType: 'HNSW',
      params: { M: option.M ?? 16, efConstruction: option.efConstruction ?? 200 },
    };
  }
  if (spec.index?.type === 'flat') return { indexType: 'FLAT', params: {} };
  return {
    indexType: 'HNSW',
    params: { M: spec.index?.m ?? 16, efConstruction: spec.index?.efConstruction ?? 200 },
  };
}

/** The largest dimension Milvus accepts; re-exported for error messages. */
export const MAX_MILVUS_DIMENSION = MILVUS_LIMITS.maxDimension;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether a string holds a UTF-16 surrogate without its pair: such a string has no UTF-8 form,
 * so it cannot travel in a gRPC string field unchanged.
 *
 * @param text - Any string.
 * @returns `true` when it holds a lone surrogate.
 *
 * @example
 * ```ts
 * hasLoneSurrogate('\uD83D\uDE80'); // false (a pair: U+1F680)
 * hasLoneSurrogate('\uD800x');      // true
 * ```
 */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}
