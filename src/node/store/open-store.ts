/**
 * Opening the store: recovery from the data directory (snapshots, then the log after them).
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { BackendError, VecmeshError, messageOf } from '../../core/errors.js';
import { applyRecord } from './apply-record.js';
import { DurableStore } from './durable-store.js';
import { readManifest } from './snapshot-manifest.js';
import { loadSnapshot, removeStaleFiles } from './snapshot-files.js';
import type { StoreCollection } from './store-collection.js';
import type { RecoveryReport, VectorStore } from './store-contract.js';
import { resolveStoreOptions, type StoreOptions } from './store-options.js';
import { WalFile } from './wal-file.js';

/**
 * Opens a reference node's store. With a `dir`, it recovers what the last process left: loads
 * the snapshots the manifest names, replays the log records after them, and cuts a torn or
 * damaged log tail (reported through `onRecovery`, never a failed start). Without a `dir`,
 * everything stays in memory.
 *
 * A damaged snapshot points file or manifest fails the start instead: the log was truncated up
 * to that snapshot, so the snapshot is the only copy of that data, and a replica that started
 * without it would answer reads with silently missing points. A damaged or missing HNSW index
 * file only costs a rebuild from the snapshot's vectors (said in the report's `problem`).
 *
 * @param options - Directory, flushing, snapshot thresholds, and the recovery and snapshot
 *   callbacks.
 * @default options.fsync true
 * @default options.snapshotEveryBytes 64 MiB
 * @default options.snapshotMaxAgeMs 60000
 * @returns The open store.
 * @throws `InvalidOptionError` for a bad option.
 * @throws {@link BackendError} when the directory cannot be created or read, or a snapshot file
 *   or the manifest is damaged.
 * @example
 * ```ts
 * const store = await openStore({
 *   dir: './data/node-1',
 *   onRecovery: (r) => log.info(r, 'store recovered'),
 * });
 * await store.createCollection('docs', { dimension: 768, metric: 'cosine' });
 * ```
 */
export async function openStore(options: StoreOptions = {}): Promise<VectorStore> {
  const resolved = resolveStoreOptions(options);
  const { dir, fsync } = resolved;
  let report: RecoveryReport = { collections: 0, replayed: 0, droppedBytes: 0 };
  let store: DurableStore;
  if (dir === undefined) {
    store = new DurableStore(
      { collections: new Map(), wal: undefined, manifest: undefined },
      resolved,
    );
  } else {
    try {
      await mkdir(dir, { recursive: true });
      const manifest = await readManifest(dir);
      let collections = new Map<string, StoreCollection>();
      const notes: string[] = [];
      if (manifest !== undefined) {
        const loaded = await loadSnapshot(dir, manifest);
        collections = loaded.collections;
        notes.push(...loaded.notes);
      }
      await removeStaleFiles(dir, manifest);
      // Replayed points wait for the index; the store's background indexer builds it.
      const opened = await WalFile.open(dir, fsync, manifest?.seq ?? 0, (record) => {
        applyRecord(collections, record, true);
      });
      if (opened.problem !== undefined) {
        notes.unshift(
          `${opened.problem}; ${opened.droppedBytes} bytes were cut from the end of the log`,
        );
      }
      report = {
        collections: manifest?.collections.length ?? 0,
        replayed: opened.replayed,
        droppedBytes: opened.droppedBytes,
        ...(notes.length === 0 ? {} : { problem: notes.join('; ') }),
      };
      store = new DurableStore({ collections, wal: opened.wal, manifest }, resolved);
    } catch (err) {
      if (err instanceof VecmeshError) throw err;
      throw new BackendError(`the store at ${dir} cannot be opened: ${messageOf(err)}`, {
        cause: err,
        meta: { operation: 'openStore' },
      });
    }
  }
  try {
    resolved.onRecovery?.(report);
  } catch {
    // The callback is for telling; its failure must not fail the start.
  }
  return store;
}
