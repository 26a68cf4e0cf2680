import { memoryBackend } from '../../src/backends/memory/index.js';
import { FaultyBackend } from '../../src/testing/index.js';
import { describeConformance } from './suite.js';

// With no faults configured the wrapper must be invisible: the memory backend's suite, unchanged.
describeConformance(
  'faulty(memory), no faults',
  () => Promise.resolve({ backend: new FaultyBackend(memoryBackend()) }),
  { exactScores: true },
);
