/**
 * The resumable checkpoint of a migration: a small JSON file replaced atomically after every
 * copied page, so that a crash leaves the previous page's checkpoint or the new one.
 *
 * @module
 */
import { readFile, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { TopologyChangeError } from '../core/errors.js';
import { replaceFile } from '../core/durable-file.js';

/** Where a migration's copy stands: the next page to copy. */
export interface CheckpointPosition {
  /** The collection being copied. */
  readonly collection: string;
  /** The cluster of the shard being copied. */
  readonly cluster: string;
  /** The old shard being copied. */
  readonly shard: string;
  /** The replica scanned (its scan cursor is only valid on it). */
  readonly replica: string;
  /** The scan cursor of the next page; absent at the start of the shard. */
  readonly cursor?: string;
  /** Set when the shard is fully copied (resume at the shard after it). */
  readonly done?: boolean;
}

/** The content of a checkpoint file. */
export interface ReshardCheckpoint {
  /** Format version, 1. */
  readonly version: 1;
  /** The migration it belongs to (see `migrationFingerprint`). */
  readonly fingerprint: string;
  /** `copy` while copying (resume at `position`), `cleanup` once the copy finished. */
  readonly phase: 'copy' | 'cleanup';
  /** The next page to copy; absent before the first page. */
  readonly position?: CheckpointPosition;
  /** Points scanned so far. */
  readonly total: number;
  /** Points copied to a new owner so far. */
  readonly moved: number;
}

/**
 * Reads a checkpoint, or `undefined` when the file does not exist.
 *
 * @throws {@link TopologyChangeError} when the file is not a checkpoint (nothing is changed).
 */
export async function readCheckpoint(path: string): Promise<ReshardCheckpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TopologyChangeError(`checkpoint \`${path}\` cannot be read: ${String(error)}`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TopologyChangeError(`checkpoint \`${path}\` is not JSON; delete it to start over`, {
      cause: error,
    });
  }
  if (!isCheckpoint(value)) {
    throw new TopologyChangeError(
      `checkpoint \`${path}\` is not a vecmesh reshard checkpoint (version 1); delete it to start over`,
    );
  }
  return value;
}

/** Replaces the checkpoint file atomically (write, flush, rename, flush the directory). */
export async function writeCheckpoint(path: string, checkpoint: ReshardCheckpoint): Promise<void> {
  await replaceFile(
    dirname(path),
    basename(path),
    Buffer.from(`${JSON.stringify(checkpoint)}\n`),
    true,
  );
}

/** Removes the checkpoint file; a missing file is fine. */
export async function removeCheckpoint(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function isCheckpoint(value: unknown): value is ReshardCheckpoint {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const count = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (v['version'] !== 1 || typeof v['fingerprint'] !== 'string') return false;
  if (v['phase'] !== 'copy' && v['phase'] !== 'cleanup') return false;
  if (!count(v['total']) || !count(v['moved'])) return false;
  const p = v['position'];
  if (p === undefined) return true;
  if (typeof p !== 'object' || p === null) return false;
  const pos = p as Record<string, unknown>;
  return (
    typeof pos['collection'] === 'string' &&
    typeof pos['cluster'] === 'string' &&
    typeof pos['shard'] === 'string' &&
    typeof pos['replica'] === 'string' &&
    (pos['cursor'] === undefined || typeof pos['cursor'] === 'string') &&
    (pos['done'] === undefined || pos['done'] === true)
  );
}
