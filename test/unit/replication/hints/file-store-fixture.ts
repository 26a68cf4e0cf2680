/** Temporary directories and file hint stores for the file store tests, cleaned up after each. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import {
  fileHintStore,
  type FileHintStore,
  type FileHintStoreOptions,
  type HintCorruption,
} from '../../../../src/replication/hints/file-hint-store.js';
import { LOG_SUFFIX, replicaBaseName } from '../../../../src/replication/hints/hint-files.js';

export const R1 = 'local/s0/r1';
const dirs: string[] = [];
const stores: FileHintStore[] = [];

/** Registers the cleanup hook; call once at the top of a test file. */
export function cleanUpAfterEach(): void {
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
}

/** A fresh directory under the OS temp dir, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vecmesh-hints-'));
  dirs.push(dir);
  return dir;
}

/** Closes the store after the test (for stores made directly with fileHintStore). */
export function track(store: FileHintStore): FileHintStore {
  stores.push(store);
  return store;
}

/** A store on `dir` (not opened) that records what it reports. */
export function storeOn(
  dir: string,
  options: Omit<FileHintStoreOptions, 'dir'> = {},
): { store: FileHintStore; reports: HintCorruption[] } {
  const reports: HintCorruption[] = [];
  const store = track(
    fileHintStore({
      dir,
      onCorruption: (info) => reports.push(info),
      ...options,
    }),
  );
  return { store, reports };
}

/** A new, opened store on `dir`, as a restarted process would make it. */
export async function reopen(
  dir: string,
  options: Omit<FileHintStoreOptions, 'dir'> = {},
): Promise<{ store: FileHintStore; reports: HintCorruption[] }> {
  const made = storeOn(dir, options);
  await made.store.open();
  return made;
}

/** The log file of a replica in `dir`. */
export const logPath = (dir: string, replica = R1): string =>
  join(dir, replicaBaseName(replica) + LOG_SUFFIX);
