/**
 * The files of the file hint store: their names, listing them, and rewriting a log. The generic
 * durable writes (atomic replace, directory flush) live in `core/durable-file.ts` and are
 * re-exported here.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TMP_SUFFIX, syncDirectory, writeFully } from '../../core/durable-file.js';

export { TMP_SUFFIX, replaceFile, syncDirectory, writeFully } from '../../core/durable-file.js';

/** Suffix of a replica's append-only log. */
export const LOG_SUFFIX = '.hints.log';
/** Suffix of a replica's state file (acked seq, needs-repair mark). */
export const STATE_SUFFIX = '.state';

const READABLE_PREFIX = 48;

/**
 * The base file name of a replica's files: a readable prefix of the id (characters outside
 * `[A-Za-z0-9_.-]` become `_`, at most 48) and 16 hex digits of its SHA-256.
 *
 * Not base64url or hex of the whole id: a topology id can reach 194 characters, whose encoding
 * would pass the 255-byte file-name limit, and base64url depends on letter case, which
 * case-insensitive file systems (macOS, Windows) fold. The hash keeps names distinct and short;
 * the log header and the state file hold the exact id.
 *
 * @example
 * ```ts
 * replicaBaseName('local/s0/r1'); // 'local_s0_r1-<16 hex digits>'
 * ```
 */
export function replicaBaseName(replicaId: string): string {
  const readable = replicaId.slice(0, READABLE_PREFIX).replace(/[^A-Za-z0-9_.-]/g, '_');
  const digest = createHash('sha256').update(replicaId, 'utf8').digest('hex').slice(0, 16);
  return `${readable}-${digest}`;
}

/**
 * Copies `length` bytes from one file position to another file, 1 MiB at a time.
 *
 * @throws the file system's error, or an `Error` when the source ends early.
 * @example
 * ```ts
 * await copyRange(oldLog, firstLiveOffset, liveBytes, newLog, headerLength);
 * ```
 */
export async function copyRange(
  from: FileHandle,
  fromPosition: number,
  length: number,
  to: FileHandle,
  toPosition: number,
): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.min(length, 1 << 20));
  let done = 0;
  while (done < length) {
    const want = Math.min(buffer.length, length - done);
    const { bytesRead } = await from.read(buffer, 0, want, fromPosition + done);
    if (bytesRead === 0) throw new Error(`the file ended ${length - done} bytes early`);
    await writeFully(to, buffer.subarray(0, bytesRead), toPosition + done);
    done += bytesRead;
  }
}

/** Which of a replica's two files exist. */
export interface ReplicaFiles {
  /** `<base>.hints.log` exists. */
  log: boolean;
  /** `<base>.state` exists. */
  state: boolean;
}

/**
 * Creates the directory if needed, deletes leftovers of interrupted atomic writes (`*.tmp`:
 * the file they were replacing is intact) and lists the replicas' files by base name.
 *
 * @throws the file system's error when the directory cannot be created or read.
 * @example
 * ```ts
 * for (const [base, found] of await listReplicaFiles(dir)) await ReplicaLog.load(dir, base, found, ...);
 * ```
 */
export async function listReplicaFiles(dir: string): Promise<Map<string, ReplicaFiles>> {
  await mkdir(dir, { recursive: true });
  const bases = new Map<string, ReplicaFiles>();
  for (const name of await readdir(dir)) {
    if (name.endsWith(TMP_SUFFIX)) {
      await unlink(join(dir, name)).catch(() => undefined);
      continue;
    }
    const isLog = name.endsWith(LOG_SUFFIX);
    if (!isLog && !name.endsWith(STATE_SUFFIX)) continue;
    const base = name.slice(0, -(isLog ? LOG_SUFFIX : STATE_SUFFIX).length);
    const found = bases.get(base) ?? { log: false, state: false };
    if (isLog) found.log = true;
    else found.state = true;
    bases.set(base, found);
  }
  return bases;
}

/**
 * Replaces a log by a copy holding only its header and its bytes from `from` on, and returns
 * a read-write handle on the new log. The copy is written beside it, flushed and renamed over
 * it, so that a crash leaves the old log or the new one.
 *
 * @param path - The log's path.
 * @param old - A handle on the current log.
 * @param header - The header line to start the copy with.
 * @param from - First byte to keep.
 * @param end - End of the bytes to keep.
 * @param durable - Flush to disk.
 * @returns A handle on the new log (the caller closes `old`).
 * @throws the file system's error; the old log is then untouched.
 * @example
 * ```ts
 * handle = await rewriteLog(path, handle, headerLine(id), firstLive.offset, end, true);
 * ```
 */
export async function rewriteLog(
  path: string,
  old: FileHandle,
  header: Buffer,
  from: number,
  end: number,
  durable: boolean,
): Promise<FileHandle> {
  const temp = path + TMP_SUFFIX;
  // Opened read-write and kept: after the rename it IS the log.
  const next = await open(temp, 'w+');
  try {
    await writeFully(next, header, 0);
    await copyRange(old, from, end - from, next, header.length);
    if (durable) await next.sync();
    await rename(temp, path);
  } catch (err) {
    await next.close();
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  if (durable) await syncDirectory(dirname(path)).catch(() => undefined);
  return next;
}
