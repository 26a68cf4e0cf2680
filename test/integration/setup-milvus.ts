/**
 * Global setup of the `integration` project: one Milvus Lite server (the PyPI `milvus-lite`
 * installed by `scripts/milvus-lite/setup.sh`) for every test file, its address handed to the
 * tests through `provide` / `inject('milvusAddress')`. It fails, never skips, when Milvus Lite
 * cannot start.
 */
import type { TestProject } from 'vitest/node';
import { startMilvusLite } from '../../src/testing/milvus-lite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `127.0.0.1:<port>` of the Milvus Lite server started for the integration tests. */
    milvusAddress: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const lite = await startMilvusLite();
  project.provide('milvusAddress', lite.address);
  return async () => {
    await lite.stop();
  };
}
