/**
 * vecmesh: a client-side router that lets an application treat many vector databases as one.
 *
 * @example
 * ```ts
 * import { createMesh, memoryBackend } from 'vecmesh';
 *
 * const mesh = createMesh({
 *   clusters: [{ name: 'local', shards: [
 *     { replicas: [{ backend: memoryBackend() }, { backend: memoryBackend() }] },
 *     { replicas: [{ backend: memoryBackend() }, { backend: memoryBackend() }] },
 *   ] }],
 * });
 * await mesh.connect();
 * const docs = await mesh.createCollection('docs', { dimension: 3, metric: 'cosine' });
 * await docs.upsert([{ id: 'a', vector: [1, 0, 0], payload: { lang: 'en' } }]);
 * const { hits } = await docs.search({ vectors: [[1, 0, 0]], topK: 5, filter: { lang: 'en' } });
 * await mesh.close();
 * ```
 *
 * @packageDocumentation
 */
export * from './core/types.js';
export * from './core/errors.js';
export * from './core/filter-ast.js';
export { parseFilter, matchesFilter } from './core/filter.js';
export type {
  VectorBackend,
  BackendCapabilities,
  BackendSearchRequest,
  CallOptions,
  GetRequest,
  HealthStatus,
  IdPage,
} from './backends/backend.js';
export {
  MemoryBackend,
  memoryBackend,
  type MemoryBackendOptions,
} from './backends/memory/index.js';
export * from './topology/index.js';
export { Mesh, createMesh } from './mesh/mesh.js';
export {
  Collection,
  type WriteOptions,
  type GetOptions,
  type CountOptions,
} from './mesh/collection.js';
export type { OperationOptions } from './mesh/context.js';
export type {
  MeshOptions,
  ResolvedMeshOptions,
  BatchOptions,
  LimitOptions,
  ReplicationOptions,
  WriteConsistency,
} from './mesh/options.js';
export type { SearchRequest } from './mesh/prepare-search.js';
export type { SearchResult, SearchCoverage } from './mesh/search.js';
export type { WriteResult } from './mesh/write.js';
export { mergeTopK } from './mesh/merge.js';
