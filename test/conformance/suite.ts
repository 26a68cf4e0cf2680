/**
 * The conformance suite every backend adapter must pass: memory, reference node, Milvus, Qdrant.
 *
 * It talks to the adapter only through the `VectorBackend` contract. Each test creates its own
 * collections under a unique name (so that a real server can be shared between runs) and drops
 * them afterwards. Writes are expected to be visible to the next read through the same adapter
 * (read-your-writes); adapters over eventually consistent servers must wait for that.
 *
 * @module
 */
import { describe } from 'vitest';
import { describeCollectionCases } from './collection-cases.js';
import { conformanceContext, type ConformanceOptions, type ConformanceSubject } from './context.js';
import { describeScanAndLifecycleCases } from './scan-lifecycle-cases.js';
import { describeSearchCases } from './search-cases.js';

export type { ConformanceOptions, ConformanceSubject } from './context.js';

/**
 * Declares the conformance suite for one adapter.
 *
 * @param label - Names the adapter in test titles.
 * @param makeBackend - Creates a fresh, unconnected backend (called twice: once for the suite,
 *   once for the close test).
 * @param options - What to check strictly.
 *
 * @example
 * ```ts
 * describeConformance('memory', () => Promise.resolve({ backend: memoryBackend() }), {
 *   exactScores: true,
 * });
 * ```
 */
export function describeConformance(
  label: string,
  makeBackend: () => Promise<ConformanceSubject>,
  options: ConformanceOptions = {},
): void {
  describe(`${label}: backend conformance`, () => {
    const ctx = conformanceContext(makeBackend, options);
    describeCollectionCases(ctx);
    describeSearchCases(ctx);
    describeScanAndLifecycleCases(ctx);
  });
}
