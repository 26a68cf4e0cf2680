/**
 * The reference node's write-ahead log file, `wal.log`: opening it (replaying what follows the
 * snapshot, cutting a torn or damaged tail), appending records durably, and starting it again
 * after a snapshot.
 *
 * @module
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceFile, writeFully } from '../../core/durable-file.js';
import { BackendError, messageOf } from '../../core/errors.js';
import { readLines, unframeLine } from '../../core/framed-line.js';
import { decodeRecord, decodeWalHeader, walHeader, type WalRecord } from './wal-record.js';

/** The log's file name in the data directory. */
export const WAL_FILE_NAME = 'wal.log';

/** What opening the log found. */
export interface WalOpening {
  /** The log, ready for appends. */
  readonly wal: WalFile;
  /** Records applied (those after the snapshot). */
  readonly replayed: number;
  /** Bytes cut from a torn or damaged tail. */
  readonly droppedBytes: number;
  /** Why bytes were cut. */
  readonly problem: string | undefined;
}

/**
 * The append-only log. One append at a time (the store's write lane serialises them).
 *
 * @example
 * ```ts
 * const { wal } = await WalFile.open(dir, true, manifestSeq, (record) => apply(record));
 * await wal.append(encodeRecord(wal.lastSeq + 1, op), wal.lastSeq + 1);
 * ```
 */
export class WalFile {
  private constructor(
    private readonly dir: string,
    private readonly durable: boolean,
    private handle: FileHandle,
    private headerLength: number,
    private end: number,
    private seq: number,
  ) {}

  /** The seq of the last record, or the base when there is none. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Bytes of records in the log (what the snapshot threshold counts). */
  get recordBytes(): number {
    return this.end - this.headerLength;
  }

  /**
   * Opens the log (creating it when missing) and replays it: records with a seq above
   * `snapshotSeq` are passed to `apply`, in order. Reading stops at the first line that is torn,
   * fails its checksum, is not a record, does not carry the next seq, or cannot be applied;
   * everything from there on is cut off and reported, never thrown.
   *
   * @param dir - The data directory.
   * @param durable - Flush writes to disk.
   * @param snapshotSeq - The seq the loaded snapshots cover (0 without snapshots).
   * @param apply - Applies one record; throws when the record does not fit the state.
   * @returns The log and what the replay did.
   * @throws {@link BackendError} when the log starts after `snapshotSeq` (records between the
   *   snapshot and the log are missing), or the file system's error.
   */
  static async open(
    dir: string,
    durable: boolean,
    snapshotSeq: number,
    apply: (record: WalRecord) => void,
  ): Promise<WalOpening> {
    const path = join(dir, WAL_FILE_NAME);
    const handle = await open(path, 'r+').catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    });
    if (handle === undefined) {
      const wal = await WalFile.fresh(dir, durable, snapshotSeq);
      return { wal, replayed: 0, droppedBytes: 0, problem: undefined };
    }
    try {
      return await WalFile.replay(dir, durable, handle, snapshotSeq, apply);
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  private static async fresh(dir: string, durable: boolean, base: number): Promise<WalFile> {
    const header = walHeader(base);
    // Created whole by a rename, so that the log never exists without its header.
    await replaceFile(dir, WAL_FILE_NAME, header, durable);
    const handle = await open(join(dir, WAL_FILE_NAME), 'r+');
    return new WalFile(dir, durable, handle, header.length, header.length, base);
  }

  private static async replay(
    dir: string,
    durable: boolean,
    handle: FileHandle,
    snapshotSeq: number,
    apply: (record: WalRecord) => void,
  ): Promise<WalOpening> {
    let base: number | undefined;
    let headerLength = 0;
    let end = 0;
    let lastSeq = 0;
    let replayed = 0;
    let bad: { offset: number; reason: string } | undefined;
    const read = await readLines(handle, (line, offset) => {
      if (bad !== undefined) return;
      const value = unframeLine(line);
      if (offset === 0) {
        base = decodeWalHeader(value);
        if (base === undefined) {
          bad = { offset, reason: 'the log header is damaged' };
        } else if (base > snapshotSeq) {
          throw new BackendError(
            `${join(dir, WAL_FILE_NAME)} starts after seq ${base} but the snapshots cover only up to seq ${snapshotSeq}: the records between are missing (was the manifest replaced?)`,
          );
        } else {
          headerLength = end = line.length + 1;
          lastSeq = base;
        }
        return;
      }
      const record = value === undefined ? undefined : decodeRecord(value);
      if (record?.seq !== lastSeq + 1) {
        const reason =
          value === undefined
            ? 'a record fails its checksum'
            : record === undefined
              ? 'a line is not a log record'
              : `record seq ${record.seq} does not follow ${lastSeq}`;
        bad = { offset, reason };
        return;
      }
      if (record.seq > snapshotSeq) {
        try {
          apply(record);
        } catch (err) {
          const why = messageOf(err);
          bad = { offset, reason: `record seq ${record.seq} cannot be applied: ${why}` };
          return;
        }
        replayed++;
      }
      lastSeq = record.seq;
      end = offset + line.length + 1;
    });
    const tail = read.end - read.tailOffset;
    if (bad === undefined && tail > 0) {
      bad = {
        offset: read.tailOffset,
        reason: `a torn record of ${tail} bytes without a newline ends the log`,
      };
    }
    if (bad === undefined && read.end === 0) bad = { offset: 0, reason: 'the log file is empty' };
    const droppedBytes = bad === undefined ? 0 : read.end - bad.offset;
    if (base === undefined) {
      // Without a header nothing in the file can be placed: start the log again.
      await handle.close();
      const wal = await WalFile.fresh(dir, durable, snapshotSeq);
      return { wal, replayed, droppedBytes, problem: bad?.reason };
    }
    const wal = new WalFile(dir, durable, handle, headerLength, end, lastSeq);
    if (bad !== undefined) await wal.cut(end);
    // Records the snapshot covers would leave a gap before the next seq: start after it.
    if (wal.lastSeq < snapshotSeq || (wal.lastSeq === snapshotSeq && base !== snapshotSeq)) {
      await wal.restart(snapshotSeq);
    }
    return { wal, replayed, droppedBytes, problem: bad?.reason };
  }

  /**
   * Appends records and, when durable, flushes them before resolving. On failure the file is
   * cut back to where it was (as far as the failing disk allows).
   *
   * @param data - Whole framed lines.
   * @param lastSeq - The seq of the last record in `data`.
   * @throws the file system's error; the records must then be treated as not written.
   */
  async append(data: Buffer, lastSeq: number): Promise<void> {
    const at = this.end;
    try {
      await writeFully(this.handle, data, at);
      if (this.durable) await this.handle.datasync();
    } catch (err) {
      await this.handle.truncate(at).catch(() => undefined);
      throw err;
    }
    this.end = at + data.length;
    this.seq = lastSeq;
  }

  /**
   * Replaces the log by an empty one whose records follow `base` (after a snapshot that covers
   * every record so far). Atomic: a crash leaves the old log or the new one.
   *
   * @throws the file system's error; the old log is then still in use.
   */
  async restart(base: number): Promise<void> {
    const header = walHeader(base);
    await replaceFile(this.dir, WAL_FILE_NAME, header, this.durable);
    const next = await open(join(this.dir, WAL_FILE_NAME), 'r+');
    await this.handle.close().catch(() => undefined);
    this.handle = next;
    this.headerLength = header.length;
    this.end = header.length;
    this.seq = base;
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.handle.close();
  }

  private async cut(length: number): Promise<void> {
    await this.handle.truncate(length);
    if (this.durable) await this.handle.datasync();
    this.end = length;
  }
}
