/**
 * Durable file writes shared by the on-disk stores (the file hint store, the reference node's
 * storage engine): write a whole buffer, replace a file atomically (write a temporary file, flush
 * it, rename it over the old one, flush the directory) and flush a directory.
 *
 * @module
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** Suffix of a file being written; leftovers of a crash are deleted at start. */
export const TMP_SUFFIX = '.tmp';

/**
 * Flushes a directory, so that a file created or renamed in it survives a crash. Platforms
 * that cannot open or flush a directory (Windows) are skipped: there the rename is as durable
 * as the platform makes it.
 *
 * @throws the file system's error for any other failure.
 * @example
 * ```ts
 * await syncDirectory('/var/lib/app/hints');
 * ```
 */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err;
  } finally {
    await handle?.close();
  }
}

/**
 * Writes a whole buffer at a position, looping over short writes.
 *
 * @throws the file system's error.
 * @example
 * ```ts
 * await writeFully(handle, line, size);
 * ```
 */
export async function writeFully(
  handle: FileHandle,
  data: Buffer,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Replaces (or creates) `dir/name` with `data` so that a crash leaves either the old content or
 * the new, never a mix: write `name.tmp`, flush it, rename it over `name`, flush the directory.
 *
 * @param dir - The directory.
 * @param name - The file name.
 * @param data - The whole new content.
 * @param durable - Flush to disk (off only when the store's `fsync` option is off).
 * @throws the file system's error; the temporary file is removed on failure.
 * @example
 * ```ts
 * await replaceFile(dir, 'r1.state', stateLine(state), true);
 * ```
 */
export async function replaceFile(
  dir: string,
  name: string,
  data: Buffer,
  durable: boolean,
): Promise<void> {
  const target = join(dir, name);
  const temp = target + TMP_SUFFIX;
  try {
    const handle = await open(temp, 'w');
    try {
      await writeFully(handle, data, 0);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  if (durable) await syncDirectory(dir);
}
