/**
 * Key derivation for cached searches (DESIGN §6): a SHA-256 over everything that can change a
 * search's answer — collection, topology epoch, tenant scope, the exact float32 bits of every
 * query vector, topK, offset, the filter tree in canonical form, search params and include
 * flags. The collection's generation is not hashed here: it is appended to the key when the
 * store reads it (in the same round trip), see {@link SearchCache}.
 *
 * Every key of a collection starts with {@link collectionTag}, `{c:<collection>}:`, so that a
 * Redis Cluster, which hashes only what is inside the first braces of a key, keeps the
 * collection's generation and results in one hash slot (the lookup reads both in one script).
 *
 * Every field is written with a tag and a length, so two different requests never produce the
 * same byte stream. Vector bytes are hashed as the platform stores them (little-endian on every
 * platform Node supports in practice), so processes sharing a Redis share keys.
 *
 * @module
 */
import type { SearchParams } from '../core/types.js';
import { createHash, type Hash } from 'node:crypto';
import type { FilterNode, FilterScalar } from '../core/filter-ast.js';

/** Everything about a search that decides its answer. */
export interface SearchKey {
  /** Logical collection name. */
  readonly collection: string;
  /** Topology epoch: a topology change makes earlier results unreachable. */
  readonly epoch: number;
  /** Tenant scope: results never cross tenants. */
  readonly tenant?: string;
  /** The query vectors (their exact float32 bits are hashed). */
  readonly vectors: readonly Float32Array[];
  /** Hits per query vector. */
  readonly topK: number;
  /** Hits skipped per query vector. */
  readonly offset: number;
  /** The validated filter tree. */
  readonly filter?: FilterNode;
  /** Whether payloads are returned. */
  readonly includePayload: boolean;
  /** Whether vectors are returned. */
  readonly includeVector: boolean;
  /** Index search parameters. */
  readonly params?: SearchParams;
}

/** Version of the key layout; bump it when the hashed bytes change. */
const KEY_VERSION = 'vecmesh-search-key/1';

/**
 * The filter tree as JSON text with a fixed key order, so that equal trees give equal text
 * however they were built.
 *
 * @example
 * ```ts
 * canonicalFilter({ kind: 'compare', field: 'year', op: 'gte', value: 2025 });
 * // '{"field":"year","kind":"compare","op":"gte","value":2025}'
 * ```
 */
export function canonicalFilter(node: FilterNode): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `{"children":[${node.children.map(canonicalFilter).join(',')}],"kind":"${node.kind}"}`;
    case 'not':
      return `{"child":${canonicalFilter(node.child)},"kind":"not"}`;
    case 'compare':
      return `{"field":${JSON.stringify(node.field)},"kind":"compare","op":"${node.op}","value":${scalar(node.value)}}`;
    case 'in':
      return `{"field":${JSON.stringify(node.field)},"kind":"in","negated":${node.negated},"values":[${node.values.map(scalar).join(',')}]}`;
    case 'exists':
      return `{"exists":${node.exists},"field":${JSON.stringify(node.field)},"kind":"exists"}`;
  }
}

/** JSON of a scalar; `-0` keeps its sign so that `$eq: -0` and `$eq: 0` stay distinct keys. */
function scalar(value: FilterScalar): string {
  return Object.is(value, -0) ? '-0' : JSON.stringify(value);
}

/** Writes a length-prefixed UTF-8 string field. */
function updateString(hash: Hash, head: Buffer, tag: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  head.writeUInt8(tag, 0);
  head.writeUInt32LE(bytes.length, 1);
  hash.update(head.subarray(0, 5));
  hash.update(bytes);
}

/** Writes a tagged float64 field (integers and non-integers alike). */
function updateNumber(hash: Hash, head: Buffer, tag: number, value: number): void {
  head.writeUInt8(tag, 0);
  head.writeDoubleLE(value, 1);
  hash.update(head.subarray(0, 9));
}

/**
 * The start of every key of `collection`: a Redis Cluster hash tag, `{c:<collection>}:`. Redis
 * hashes the text between the first `{` and the next `}`; whatever the name holds (a `}`
 * included) that text is the same for every key of the collection, and the `c:` keeps it from
 * being empty (an empty tag would make Redis hash the whole key).
 *
 * @example
 * ```ts
 * collectionTag('docs'); // '{c:docs}:'
 * ```
 */
export function collectionTag(collection: string): string {
  return `{c:${collection}}:`;
}

/**
 * Derives the key of a search, without the generation: the cache appends `<generation>`.
 *
 * @param key - The search.
 * @returns `{c:<collection>}:r:<base64url sha256>:`.
 * @example
 * ```ts
 * const k = searchKeyHash({ collection: 'docs', epoch: 3, vectors: [q], topK: 10, offset: 0,
 *   includePayload: true, includeVector: false });
 * ```
 */
export function searchKeyHash(key: SearchKey): string {
  const hash = createHash('sha256');
  const head = Buffer.allocUnsafe(16);
  updateString(hash, head, 1, KEY_VERSION);
  updateString(hash, head, 2, key.collection);
  updateNumber(hash, head, 3, key.epoch);
  if (key.tenant !== undefined) updateString(hash, head, 4, key.tenant);
  updateNumber(hash, head, 5, key.topK);
  updateNumber(hash, head, 6, key.offset);
  head.writeUInt8(7, 0);
  head.writeUInt8((key.includePayload ? 1 : 0) | (key.includeVector ? 2 : 0), 1);
  hash.update(head.subarray(0, 2));
  const params = key.params;
  if (params?.ef !== undefined) updateNumber(hash, head, 8, params.ef);
  if (params?.exact !== undefined) {
    head.writeUInt8(9, 0);
    head.writeUInt8(params.exact ? 1 : 0, 1);
    hash.update(head.subarray(0, 2));
  }
  if (key.filter !== undefined) updateString(hash, head, 10, canonicalFilter(key.filter));
  head.writeUInt8(11, 0);
  head.writeUInt32LE(key.vectors.length, 1);
  hash.update(head.subarray(0, 5));
  for (const vector of key.vectors) {
    head.writeUInt32LE(vector.length, 0);
    hash.update(head.subarray(0, 4));
    hash.update(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
  }
  return `${collectionTag(key.collection)}r:${hash.digest('base64url')}:`;
}

/**
 * The key of a collection's generation.
 *
 * @example
 * ```ts
 * generationKey('docs'); // '{c:docs}:g'
 * ```
 */
export function generationKey(collection: string): string {
  return `${collectionTag(collection)}g`;
}
