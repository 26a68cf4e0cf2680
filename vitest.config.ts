import { defineConfig } from 'vitest/config';

// Three projects: `unit` needs nothing but Node; `acceptance` starts real reference-node
// processes; `integration` needs Redis and Milvus Lite, which its global setups start (and, on the
// first run, install into .venv-services/).
export default defineConfig({
  // Examples and tests import the package by its name (`vecmesh`, `vecmesh/node`, ...), which
  // tsconfig.json's `paths` map to the sources; every project below inherits this.
  resolve: { tsconfigPaths: true },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/conformance/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'acceptance',
          include: ['test/acceptance/**/*.test.ts'],
          testTimeout: 120_000,
          // Starting six node processes on 2 busy cores can take longer than the 10 s default.
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // A real Redis server on a free loopback port (test/helpers/redis-server.ts), and a
          // real Milvus Lite (src/testing/milvus-lite.ts). Vitest runs these one after the
          // other; what they need is provisioned by test/helpers/test-services.ts, on the first
          // run only (stamps), under a lock file in .venv-services/ (concurrent runs install once).
          globalSetup: ['test/integration/setup-redis.ts', 'test/integration/setup-milvus.ts'],
          testTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
