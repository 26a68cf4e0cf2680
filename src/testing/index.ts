/**
 * Test helpers for applications and adapters built on vecmesh: a fault-injecting backend
 * wrapper and a seeded random generator.
 *
 * @example
 * ```ts
 * import { memoryBackend } from 'vecmesh';
 * import { faultyBackend } from 'vecmesh/testing';
 *
 * const flaky = faultyBackend(memoryBackend(), { seed: 3, errorRate: 0.2 });
 * ```
 *
 * @module
 */
export { FaultyBackend, faultyBackend } from './faulty-backend.js';
export type { FaultStats } from './fault-stats.js';
export {
  DEFAULT_FAULTY_METHODS,
  FAULTY_METHODS,
  type FaultOptions,
  type FaultyMethod,
  type ResolvedFaultOptions,
} from './fault-options.js';
export type {
  ExponentialLatency,
  FixedLatency,
  LatencyModel,
  TailLatency,
  UniformLatency,
} from './latency-model.js';
export { seededRandom, type RandomSource } from './seeded-random.js';
export { startMilvusLite, type MilvusLite, type MilvusLiteOptions } from './milvus-lite.js';
