import { defineConfig } from 'vitest/config';

// Three projects: `unit` needs nothing but Node; `acceptance` starts real reference-node
// processes; `integration` needs services that .ci/run starts (Redis, Milvus Lite).
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
          // A real redis-server on a free loopback port (test/helpers/redis-server.ts), and a
          // real Milvus Lite (src/testing/milvus-lite.ts).
          globalSetup: ['test/integration/setup-redis.ts', 'test/integration/setup-milvus.ts'],
          testTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
