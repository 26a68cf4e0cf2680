/**
 * The in-process memory backend.
 *
 * @module
 */
export { MemoryBackend, memoryBackend } from './memory-backend.js';
export { DEFAULT_MEMORY_CAPABILITIES, type MemoryBackendOptions } from './memory-options.js';
