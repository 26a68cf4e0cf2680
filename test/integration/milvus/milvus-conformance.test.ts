/**
 * The conformance suite through `milvusBackend` against a real Milvus Lite server, with FLAT
 * (exact) collections and with the default HNSW index.
 */
import { inject } from 'vitest';
import { milvusBackend } from '../../../src/backends/milvus/index.js';
import { describeConformance } from '../../conformance/suite.js';

const address = inject('milvusAddress');

describeConformance(
  'milvus (FLAT)',
  () => Promise.resolve({ backend: milvusBackend({ address, index: { type: 'FLAT' } }) }),
  { exactScores: true },
);

// HNSW on a handful of points finds them all: ef is at least topK, above the collection size.
describeConformance(
  'milvus (HNSW)',
  () => Promise.resolve({ backend: milvusBackend({ address }) }),
  { exactScores: true },
);
