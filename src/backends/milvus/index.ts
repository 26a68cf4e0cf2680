/**
 * The Milvus adapter (`vecmesh/milvus`): the `VectorBackend` contract over
 * `@zilliz/milvus2-sdk-node`, for Milvus and Milvus Lite servers.
 *
 * @example
 * ```ts
 * import { milvusBackend } from 'vecmesh/milvus';
 *
 * const backend = milvusBackend({ address: '127.0.0.1:19530' });
 * await backend.connect();
 * ```
 *
 * @module
 */
export { MilvusBackend, milvusBackend } from './milvus-backend.js';
export {
  DEFAULT_MILVUS_CAPABILITIES,
  MILVUS_CONSISTENCY_LEVELS,
  MILVUS_LIMITS,
  type MilvusBackendOptions,
  type MilvusConsistencyLevel,
  type MilvusHnswIndex,
  type MilvusIndexOption,
  type MilvusPlainIndex,
  type ResolvedMilvusBackendOptions,
} from './milvus-options.js';
export { MILVUS_FIELDS, MILVUS_NAME_PATTERN, ID_MAX_BYTES } from './milvus-schema.js';
export { compileFilter } from './milvus-filter.js';
