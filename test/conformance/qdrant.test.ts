/**
 * The conformance suite through `qdrantBackend` against a real Qdrant server (1.10 or later),
 * named by `QDRANT_URL` (and `QDRANT_API_KEY` when it needs one), e.g.
 * `QDRANT_URL=http://127.0.0.1:6333 npx vitest run test/conformance/qdrant.test.ts`.
 *
 * Without `QDRANT_URL` the suite is skipped: no Qdrant server can run where the unit tests run
 * (no Docker, no network). The contract tests in `test/unit/backends/qdrant/` pin the requests
 * and answers instead.
 *
 * Known difference from the other backends (`docs/qdrant.md`): string ranges (`$gt: 'b'`) are
 * refused with `InvalidFilterError`, which the suite checks (`stringRanges: 'refused'`).
 */
import { describe } from 'vitest';
import { qdrantBackend } from '../../src/backends/qdrant/index.js';
import { describeConformance } from './suite.js';

const url = process.env.QDRANT_URL;
const apiKey = process.env.QDRANT_API_KEY;

describe.skipIf(url === undefined || url === '')(
  'qdrant (set QDRANT_URL to run against a real Qdrant)',
  () => {
    describeConformance(
      'qdrant',
      () =>
        Promise.resolve({
          backend: qdrantBackend({
            url: url ?? '',
            ...(apiKey === undefined || apiKey === '' ? {} : { apiKey }),
          }),
        }),
      // Qdrant stores float32 and computes in float32; scores are checked to 1e-4 anyway.
      { exactScores: true, stringRanges: 'refused' },
    );
  },
);
