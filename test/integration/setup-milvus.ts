/**
 * Global setup of the `integration` project: one Milvus Lite server for every test file, its
 * address handed to the tests through `provide` / `inject('milvusAddress')`. Milvus Lite (PyPI
 * `milvus-lite`, pinned in scripts/test-services/requirements-milvus.txt) is installed into
 * `.venv-services/` on the first run (test/helpers/test-services.ts), unless VECMESH_MILVUS_PYTHON
 * names a Python that has it. It fails, never skips, when Milvus Lite cannot start.
 */
import type { TestProject } from 'vitest/node';
import { startMilvusLite } from '../../src/testing/milvus-lite.js';
import { provisionMilvusLite } from '../helpers/test-services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `127.0.0.1:<port>` of the Milvus Lite server started for the integration tests. */
    milvusAddress: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.VECMESH_MILVUS_PYTHON;
  const python = given !== undefined && given !== '' ? given : await provisionMilvusLite();
  const lite = await startMilvusLite({ python });
  project.provide('milvusAddress', lite.address);
  return async () => {
    await lite.stop();
  };
}
