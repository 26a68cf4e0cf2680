import { memoryBackend } from '../../src/backends/memory/index.js';
import { describeConformance } from './suite.js';

describeConformance('memory', () => Promise.resolve({ backend: memoryBackend() }), {
  exactScores: true,
});
