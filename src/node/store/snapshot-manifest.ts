/**
 * The snapshot manifest: the one file that says which snapshot files make up the store's state,
 * and up to which log seq they cover it. Writing it (atomically, by a rename) is the moment a
 * snapshot takes effect; files it does not name are leftovers and are deleted.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceFile } from '../../core/durable-file.js';
import { BackendError } from '../../core/errors.js';
import { frameLine, unframeLine } from '../../core/framed-line.js';
import { isPlainObject } from '../../core/payload.js';
import { normalizeSpec, type StoreSpec } from './store-checks.js';

/** The manifest's file name in the data directory. */
export const MANIFEST_FILE_NAME = 'manifest';

/** Format version written in the manifest. */
export const MANIFEST_FORMAT_VERSION = 1;

/** Prefix of every snapshot file's name. */
export const SNAPSHOT_FILE_PREFIX = 'snap-';

/** A snapshot file, its length and its CRC-32. */
export interface SnapshotFileRef {
  /** File name in the data directory. */
  readonly file: string;
  /** Length in bytes. */
  readonly bytes: number;
  /** CRC-32 of the whole file. */
  readonly crc: number;
}

/** One collection in the manifest. */
export interface ManifestEntry {
  /** The collection's name. */
  readonly name: string;
  /** Its resolved spec. */
  readonly spec: StoreSpec;
  /** Its points file. */
  readonly points: SnapshotFileRef;
  /** Its saved HNSW index, for `hnsw` collections. */
  readonly index?: SnapshotFileRef;
}

/** The state of the store as of log seq `seq`. */
export interface Manifest {
  /** Every log record up to this seq is in the snapshot files. */
  readonly seq: number;
  /** The collections, each with its files. */
  readonly collections: readonly ManifestEntry[];
}

/**
 * Reads the manifest.
 *
 * @param dir - The data directory.
 * @returns The manifest, or `undefined` when there is none yet (no snapshot was ever taken).
 * @throws {@link BackendError} when the manifest is damaged: the log was truncated up to the
 *   snapshot, so starting without it would serve a silently incomplete copy of the data.
 * @example
 * ```ts
 * const manifest = await readManifest('./data'); // undefined on a fresh directory
 * ```
 */
export async function readManifest(dir: string): Promise<Manifest | undefined> {
  const path = join(dir, MANIFEST_FILE_NAME);
  const content = await readFile(path).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  });
  if (content === undefined) return undefined;
  const manifest =
    content.indexOf(0x0a) === content.length - 1
      ? decodeManifest(unframeLine(content.subarray(0, -1)))
      : undefined;
  if (manifest === undefined) {
    throw new BackendError(
      `the snapshot manifest ${path} is damaged; the store cannot tell which data it holds and will not start with part of it. Restore the directory from a backup, or remove it and let the mesh repair the replica`,
    );
  }
  return manifest;
}

/**
 * Writes the manifest atomically (temporary file, flush, rename, directory flush).
 *
 * @param dir - The data directory.
 * @param manifest - The new manifest.
 * @param durable - Flush to disk.
 * @throws the file system's error; the previous manifest is then still in effect.
 * @example
 * ```ts
 * await writeManifest(dir, { seq: 42, collections }, true);
 * ```
 */
export async function writeManifest(
  dir: string,
  manifest: Manifest,
  durable: boolean,
): Promise<void> {
  const line = frameLine(JSON.stringify({ vecmeshStore: MANIFEST_FORMAT_VERSION, ...manifest }));
  await replaceFile(dir, MANIFEST_FILE_NAME, line, durable);
}

/**
 * Checks a parsed manifest.
 *
 * @param value - What `unframeLine` returned.
 * @returns The manifest, or `undefined` when it is not one of this format.
 * @example
 * ```ts
 * decodeManifest({ vecmeshStore: 1, seq: 0, collections: [] }); // { seq: 0, collections: [] }
 * ```
 */
export function decodeManifest(value: unknown): Manifest | undefined {
  if (!isPlainObject(value) || value['vecmeshStore'] !== MANIFEST_FORMAT_VERSION) return undefined;
  const { seq, collections } = value;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  if (!Array.isArray(collections)) return undefined;
  const out: ManifestEntry[] = [];
  const names = new Set<string>();
  for (const c of collections as unknown[]) {
    if (!isPlainObject(c) || typeof c['name'] !== 'string' || names.has(c['name'])) {
      return undefined;
    }
    const points = decodeRef(c['points']);
    const index = c['index'] === undefined ? undefined : decodeRef(c['index']);
    let spec: StoreSpec;
    try {
      spec = normalizeSpec(c['spec']);
    } catch {
      return undefined;
    }
    if (points === undefined || (c['index'] !== undefined && index === undefined)) {
      return undefined;
    }
    names.add(c['name']);
    out.push(
      index === undefined
        ? { name: c['name'], spec, points }
        : { name: c['name'], spec, points, index },
    );
  }
  return { seq, collections: out };
}

function decodeRef(value: unknown): SnapshotFileRef | undefined {
  if (!isPlainObject(value)) return undefined;
  const { file, bytes, crc } = value;
  if (typeof file !== 'string' || !/^snap-[A-Za-z0-9.-]+$/.test(file)) {
    return undefined;
  }
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) return undefined;
  if (typeof crc !== 'number' || !Number.isInteger(crc) || crc < 0 || crc > 0xffffffff) {
    return undefined;
  }
  return { file, bytes, crc };
}
