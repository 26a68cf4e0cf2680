/**
 * Snapshots of the whole store: writing one (the protocol), loading one, and removing the files
 * no manifest names any more.
 *
 * Protocol, run while no write is being applied (the store's write lane holds it):
 *
 * 1. For every collection changed since the previous snapshot, write `snap-<seq>-<n>.points`
 *    (ids, vectors, payloads) and, for `hnsw`, `snap-<seq>-<n>.hnsw` (usearch's own file, so
 *    that a restart does not rebuild the graph): each through a temporary file, flushed, renamed.
 *    Unchanged collections keep the files the previous manifest names; a collection whose
 *    points did not change but whose index took in points from the background indexer keeps
 *    its points file and gets a new index file.
 * 2. Flush the directory, then replace the manifest (atomically): from this moment the snapshot
 *    covers every record up to `seq`.
 * 3. The caller starts the log again after `seq`, then removes the files no manifest names.
 *
 * A crash before step 2 leaves the previous manifest and full log in effect (the new files are
 * leftovers, removed at the next start); a crash between 2 and 3 leaves a log whose records up
 * to `seq` are skipped at replay.
 *
 * @module
 */
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TMP_SUFFIX, syncDirectory } from '../../core/durable-file.js';
import { AnnIndex } from './ann-index.js';
import {
  MANIFEST_FILE_NAME,
  SNAPSHOT_FILE_PREFIX,
  writeManifest,
  type Manifest,
  type ManifestEntry,
  type SnapshotFileRef,
} from './snapshot-manifest.js';
import { fileChecksum, readPointsFile, writePointsFile } from './snapshot-points.js';
import { StoreCollection } from './store-collection.js';
import { WAL_FILE_NAME } from './wal-file.js';

/**
 * Writes a snapshot of every collection as of log seq `seq` and makes it take effect.
 *
 * @param dir - The data directory.
 * @param collections - Every collection; none may change until the promise settles.
 * @param seq - The seq of the last record applied to them.
 * @param previous - The manifest in effect, whose files unchanged collections keep.
 * @param durable - Flush to disk.
 * @returns The new manifest (in effect once this resolves).
 * @throws the file system's or usearch's error; the previous manifest is then still in effect.
 * @example
 * ```ts
 * manifest = await writeSnapshot(dir, collections.values(), wal.lastSeq, manifest, true);
 * await wal.restart(manifest.seq);
 * await removeStaleFiles(dir, manifest);
 * ```
 */
export async function writeSnapshot(
  dir: string,
  collections: Iterable<StoreCollection>,
  seq: number,
  previous: Manifest | undefined,
  durable: boolean,
): Promise<Manifest> {
  const entries: ManifestEntry[] = [];
  // Collections whose `indexChanged` this snapshot cleared: set again if it fails.
  const saved: StoreCollection[] = [];
  // Names of the previous snapshot, which a new file must not replace (same seq, index only).
  const taken = new Set(
    previous?.collections.flatMap((e) => [e.points.file, ...(e.index ? [e.index.file] : [])]),
  );
  let n = 0;
  const nextBase = (): string => {
    let base: string;
    do base = `${SNAPSHOT_FILE_PREFIX}${seq}-${n++}`;
    while (taken.has(`${base}.points`) || taken.has(`${base}.hnsw`));
    return base;
  };
  try {
    for (const c of collections) {
      const kept = previous?.collections.find((e) => e.name === c.name);
      const same = kept !== undefined && previous !== undefined && c.changedAt <= previous.seq;
      if (same && !c.indexChanged) {
        entries.push(kept);
        continue;
      }
      const base = nextBase();
      const points = same
        ? kept.points
        : await writePointsFile(dir, `${base}.points`, c.table, c.spec.dimension, durable);
      let index: SnapshotFileRef | undefined;
      if (c.index !== undefined) {
        // Cleared before the save: the indexer may add points while the files are flushed.
        c.indexChanged = false;
        saved.push(c);
        index = await saveIndex(dir, `${base}.hnsw`, c.index, durable);
      }
      entries.push(
        index === undefined
          ? { name: c.name, spec: c.spec, points }
          : { name: c.name, spec: c.spec, points, index },
      );
    }
    if (durable) await syncDirectory(dir);
    const manifest: Manifest = { seq, collections: entries };
    await writeManifest(dir, manifest, durable);
    return manifest;
  } catch (err) {
    for (const c of saved) c.indexChanged = true;
    throw err;
  }
}

async function saveIndex(
  dir: string,
  file: string,
  index: AnnIndex,
  durable: boolean,
): Promise<SnapshotFileRef> {
  const path = join(dir, file);
  const temp = path + TMP_SUFFIX;
  try {
    index.save(temp);
    if (durable) {
      const handle = await open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    const { bytes, crc } = await fileChecksum(temp);
    await rename(temp, path);
    return { file, bytes, crc };
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** What {@link loadSnapshot} made of the manifest's files. */
export interface LoadedSnapshot {
  /** The collections, by name. */
  readonly collections: Map<string, StoreCollection>;
  /** Indexes that had to be rebuilt from the vectors, and why. */
  readonly notes: string[];
}

/**
 * Loads every collection a manifest names. A damaged or missing index file is not fatal (the
 * collection starts with an empty graph, every point waits for the background indexer, and a
 * note says so); a damaged points file is. An index file that holds fewer points than the
 * points file (a snapshot taken while the indexer was busy) is used as it is: the points it
 * lacks wait for the indexer.
 *
 * @param dir - The data directory.
 * @param manifest - The manifest in effect.
 * @returns The collections and notes.
 * @throws `BackendError` when a points file is missing or damaged.
 * @example
 * ```ts
 * const { collections, notes } = await loadSnapshot(dir, manifest);
 * ```
 */
export async function loadSnapshot(dir: string, manifest: Manifest): Promise<LoadedSnapshot> {
  const collections = new Map<string, StoreCollection>();
  const notes: string[] = [];
  for (const entry of manifest.collections) {
    const table = await readPointsFile(dir, entry.points, entry.spec.dimension);
    const c = new StoreCollection(entry.name, entry.spec, manifest.seq, table, undefined);
    if (c.index !== undefined) {
      const loaded = entry.index === undefined ? undefined : await loadIndex(dir, entry.index, c);
      if (loaded === undefined) {
        // `c.index` is still the empty one the constructor made: every point waits for it.
        c.adoptIndex();
        notes.push(
          `the HNSW index of collection ${JSON.stringify(entry.name)} (${entry.index?.file ?? 'no file'}) was missing or damaged and is rebuilt from the snapshot's vectors in the background`,
        );
      }
    }
    collections.set(entry.name, c);
  }
  return { collections, notes };
}

/** Loads an index file into `c` when it is intact and fits `c`'s points; `undefined` if not. */
async function loadIndex(
  dir: string,
  ref: SnapshotFileRef,
  c: StoreCollection,
): Promise<AnnIndex | undefined> {
  const path = join(dir, ref.file);
  const sum = await fileChecksum(path).catch(() => undefined);
  // usearch trusts its file; a damaged one must never reach it.
  if (sum?.bytes !== ref.bytes || sum.crc !== ref.crc || c.index === undefined) return undefined;
  const empty = c.index;
  const index = AnnIndex.load(path, empty.params);
  if (index === undefined) return undefined;
  c.index = index;
  try {
    c.adoptIndex();
  } catch {
    c.index = empty;
    return undefined;
  }
  return index;
}

/**
 * Deletes leftovers: the store's temporary files of interrupted writes, and snapshot files
 * (`snap-*`, temporary ones included) the manifest does not name. Other files are left alone. Failures are ignored (a leftover costs only disk space).
 *
 * @param dir - The data directory.
 * @param manifest - The manifest in effect, or `undefined` when there is none.
 * @example
 * ```ts
 * await removeStaleFiles(dir, manifest);
 * ```
 */
export async function removeStaleFiles(dir: string, manifest: Manifest | undefined): Promise<void> {
  const keep = new Set<string>();
  for (const e of manifest?.collections ?? []) {
    keep.add(e.points.file);
    if (e.index !== undefined) keep.add(e.index.file);
  }
  // Only the store's own names: the directory may hold other files of the node.
  const temporary = new Set([MANIFEST_FILE_NAME + TMP_SUFFIX, WAL_FILE_NAME + TMP_SUFFIX]);
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter(
        (name) => temporary.has(name) || (name.startsWith(SNAPSHOT_FILE_PREFIX) && !keep.has(name)),
      )
      .map((name) => unlink(join(dir, name)).catch(() => undefined)),
  );
}
