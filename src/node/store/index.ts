/**
 * The reference node's storage engine: usearch HNSW (or exact) search over in-memory
 * collections, made durable by a CRC-framed write-ahead log with group commit and snapshots.
 *
 * @module
 */
export { openStore } from './open-store.js';
export {
  DEFAULT_SNAPSHOT_EVERY_BYTES,
  DEFAULT_SNAPSHOT_MAX_AGE_MS,
  MAX_SNAPSHOT_MAX_AGE_MS,
  resolveStoreOptions,
  type ResolvedStoreOptions,
  type StoreOptions,
} from './store-options.js';
export type {
  RecoveryReport,
  SnapshotEvent,
  SnapshotTrigger,
  StoreSearchRequest,
  VectorStore,
} from './store-contract.js';
