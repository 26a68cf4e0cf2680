/**
 * Global setup of the `integration` project: one real redis-server for every test file,
 * its URL handed to the tests through `provide` / `inject('redisUrl')`.
 */
import type { TestProject } from 'vitest/node';
import { startRedisServer } from '../helpers/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the redis-server started for the integration tests. */
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
