/**
 * Hinted handoff: where writes a replica missed wait to be replayed.
 *
 * @module
 */
export type { AppendOutcome, Hint, HintInput, HintOperation, HintStore } from './hint-store.js';
export {
  DEFAULT_MAX_HINTS_PER_REPLICA,
  DEFAULT_MAX_POINTS_PER_REPLICA,
  type HintStoreLimits,
  type ResolvedHintStoreLimits,
} from './hint-input.js';
export {
  MemoryHintStore,
  memoryHintStore,
  type MemoryHintStoreOptions,
} from './memory-hint-store.js';
export {
  FileHintStore,
  fileHintStore,
  type FileHintStoreOptions,
  type HintCorruption,
} from './file-hint-store.js';
