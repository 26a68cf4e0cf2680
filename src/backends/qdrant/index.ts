/**
 * The Qdrant adapter (`vecmesh/qdrant`): the `VectorBackend` contract over Qdrant's REST API
 * through `@qdrant/js-client-rest`.
 *
 * @module
 */
export { QdrantBackend, qdrantBackend } from './qdrant-backend.js';
export {
  DEFAULT_QDRANT_CAPABILITIES,
  QDRANT_DEFAULT_PORT,
  type QdrantBackendOptions,
  type ResolvedQdrantBackendOptions,
} from './qdrant-options.js';
export { QDRANT_ID_KEY, QDRANT_ID_NAMESPACE, qdrantPointId } from './qdrant-ids.js';
export { QDRANT_RESERVED_KEYS, QDRANT_TYPES_KEY } from './qdrant-payload.js';
export {
  compileFilter,
  type QdrantCondition,
  type QdrantFieldCondition,
  type QdrantFilter,
  type QdrantMatchAny,
  type QdrantMatchValue,
  type QdrantRange,
} from './qdrant-filter.js';
