/**
 * One replica's durable hints: an append-only log file, a state file (acked seq, needs-repair
 * mark) and an in-memory index of where the live records lie. The file hint store calls one
 * method at a time per replica; this class does no locking of its own.
 *
 * @module
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import {
  LOG_SUFFIX,
  STATE_SUFFIX,
  replaceFile,
  replicaBaseName,
  rewriteLog,
  writeFully,
  type ReplicaFiles,
} from './hint-files.js';
import { scanLog, type LogEntry } from './hint-log-scan.js';
import { decodeHint, decodeState, headerLine, stateLine, unframeLine } from './hint-record.js';
import type { Hint } from './hint-store.js';

/** A damaged part of the hint directory, found and cut away (never a failed start). */
export interface HintCorruption {
  /** The damaged file's path. */
  readonly file: string;
  /** The replica the file belongs to, when that could be told. */
  readonly replicaId: string | undefined;
  /** Byte offset where the damage starts; everything from there on was dropped. */
  readonly offset: number;
  /** Bytes dropped. */
  readonly droppedBytes: number;
  /** What was wrong. */
  readonly reason: string;
  /**
   * Whether hints that may have been acknowledged were lost, so that the replica was marked
   * as needing repair. `false` for a torn tail (an append cut short by a crash never resolved).
   */
  readonly needsRepair: boolean;
}

/** One record to append: its framed line, seq and weight. */
export interface LogRecord {
  /** The framed line. */
  readonly line: Buffer;
  /** Its sequence number. */
  readonly seq: number;
  /** Points plus ids. */
  readonly weight: number;
}

// Rewrite the log when acked records take this much and at least as much as the live ones.
const COMPACT_MIN_DEAD_BYTES = 1 << 20;

/**
 * A replica's log, state and index.
 *
 * @example
 * ```ts
 * const log = ReplicaLog.fresh(dir, 'local/s0/r1', true);
 * await log.append([{ line: hintLine(1, Date.now(), body), seq: 1, weight: 1 }]);
 * ```
 */
export class ReplicaLog {
  /** The base of the replica's file names. */
  readonly baseName: string;
  /** Every hint with `seq <= acked` is gone. */
  acked = 0;
  /** The last seq handed out. */
  lastSeq = 0;
  /** Hints were discarded; the replica needs repair. */
  needsRepair = false;
  /** Points plus ids of the live hints. */
  points = 0;

  private handle: FileHandle | undefined;
  private entries: LogEntry[] = [];
  private head = 0;
  private headerLength = 0;
  private end = 0;
  // Where a failed append may have left bytes that the next append must cut first.
  private dirtyFrom: number | undefined;

  private constructor(
    private readonly dir: string,
    /** The replica's id. */
    readonly replicaId: string,
    private readonly durable: boolean,
  ) {
    this.baseName = replicaBaseName(replicaId);
  }

  /**
   * A replica with no files yet; they are created by the first write.
   *
   * @example
   * ```ts
   * ReplicaLog.fresh('/tmp/hints', 'local/s0/r1', true).count; // 0
   * ```
   */
  static fresh(dir: string, replicaId: string, durable: boolean): ReplicaLog {
    return new ReplicaLog(dir, replicaId, durable);
  }

  /**
   * Loads a replica's files left by an earlier process: reads the state, indexes the log,
   * cuts a damaged tail (reporting it) and marks the replica for repair when acknowledged
   * hints may have been lost.
   *
   * @param dir - The store's directory.
   * @param baseName - The files' base name.
   * @param found - Which of the two files exist.
   * @param durable - Flush writes.
   * @param report - Told about every damage found.
   * @returns The log, or `undefined` when the files cannot be attributed to a replica (left
   *   in place and reported).
   * @throws the file system's error when a file cannot be read or repaired.
   */
  static async load(
    dir: string,
    baseName: string,
    found: Readonly<ReplicaFiles>,
    durable: boolean,
    report: (info: HintCorruption) => void,
  ): Promise<ReplicaLog | undefined> {
    const logPath = join(dir, baseName + LOG_SUFFIX);
    const statePath = join(dir, baseName + STATE_SUFFIX);
    const stateBytes = found.state ? await readFile(statePath) : undefined;
    const state = stateBytes === undefined ? undefined : decodeState(stateBytes);
    const handle = found.log ? await open(logPath, 'r+') : undefined;
    try {
      const scan = handle === undefined ? undefined : await scanLog(handle, state?.acked ?? 0);
      const replicaId = state?.replicaId ?? scan?.replicaId;
      const disagree = scan?.replicaId !== undefined && scan.replicaId !== replicaId;
      if (replicaId === undefined || disagree || replicaBaseName(replicaId) !== baseName) {
        report({
          file: found.log ? logPath : statePath,
          replicaId,
          offset: 0,
          droppedBytes: 0,
          reason: `cannot tell which replica the files belong to (state ${state === undefined ? 'unreadable' : `names ${JSON.stringify(state.replicaId)}`}, log header ${scan?.replicaId === undefined ? 'unreadable' : `names ${JSON.stringify(scan.replicaId)}`}); left in place`,
          needsRepair: false,
        });
        await handle?.close();
        return undefined;
      }
      const log = new ReplicaLog(dir, replicaId, durable);
      log.handle = handle;
      log.acked = state?.acked ?? 0;
      log.needsRepair = state?.needsRepair ?? false;
      let changed = false;
      if (stateBytes !== undefined && state === undefined) {
        // Without the acked seq, replaying could undo newer writes: discard and repair.
        report({
          file: statePath,
          replicaId,
          offset: 0,
          droppedBytes: stateBytes.length,
          reason: 'damaged state file; pending hints discarded',
          needsRepair: true,
        });
        log.needsRepair = true;
        changed = true;
      }
      if (scan !== undefined && handle !== undefined) {
        const size = (await handle.stat()).size;
        log.lastSeq = Math.max(log.acked, scan.lastSeq);
        log.entries = scan.entries;
        log.headerLength = scan.headerLength;
        log.end = scan.end;
        if (scan.problem !== undefined) {
          report({
            file: logPath,
            replicaId,
            offset: scan.problem.offset,
            droppedBytes: size - scan.problem.offset,
            reason: scan.problem.reason,
            needsRepair: scan.problem.complete,
          });
          if (scan.problem.complete) {
            log.needsRepair = true;
            changed = true;
          }
          if (scan.headerLength === 0) {
            // The header itself is bad: start the log again.
            await handle.close();
            log.handle = undefined;
            log.entries = [];
          } else {
            await log.truncate(scan.end);
          }
        }
      } else {
        log.lastSeq = log.acked;
      }
      for (const e of log.entries) log.points += e.weight;
      if (log.needsRepair) {
        changed ||= log.acked !== log.lastSeq;
        log.dropAll();
      }
      if (changed) await log.saveState();
      if (log.handle === undefined && found.log) await log.ensureLog(true);
      if (log.entries.length === 0 && log.handle !== undefined && log.end > log.headerLength) {
        await log.truncate(log.headerLength);
      }
      return log;
    } catch (err) {
      await handle?.close().catch(() => undefined);
      throw err;
    }
  }

  /** Pending hints. */
  get count(): number {
    return this.entries.length - this.head;
  }

  /**
   * Appends records (seqs above `lastSeq`, in order) and flushes them before resolving.
   *
   * @throws the file system's error; the records are then not stored.
   */
  async append(records: readonly LogRecord[]): Promise<void> {
    const handle = await this.ensureLog(false);
    if (this.dirtyFrom !== undefined) await this.truncate(this.dirtyFrom);
    const at = this.end;
    const data =
      records.length === 1
        ? (records[0] as LogRecord).line
        : Buffer.concat(records.map((r) => r.line));
    try {
      await writeFully(handle, data, at);
      if (this.durable) await handle.datasync();
    } catch (err) {
      this.dirtyFrom = at;
      await this.truncate(at).catch(() => undefined);
      throw err;
    }
    let offset = at;
    for (const r of records) {
      this.entries.push({ seq: r.seq, offset, length: r.line.length, weight: r.weight });
      this.points += r.weight;
      offset += r.line.length;
      this.lastSeq = r.seq;
    }
    this.end = offset;
  }

  /**
   * Reads the oldest `limit` pending hints.
   *
   * @returns The hints, or `undefined` when a record no longer matches its checksum (the
   *   caller discards and marks the replica).
   * @throws the file system's error.
   */
  async read(limit: number): Promise<Hint[] | undefined> {
    const live = this.entries.slice(this.head, this.head + limit);
    const first = live[0];
    const last = live.at(-1);
    if (first === undefined || last === undefined || this.handle === undefined) return [];
    const length = last.offset + last.length - first.offset;
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.handle.read(buffer, 0, length, first.offset);
    if (bytesRead < length) return undefined;
    const out: Hint[] = [];
    for (const e of live) {
      const start = e.offset - first.offset;
      const hint = decodeHint(unframeLine(buffer.subarray(start, start + e.length - 1)));
      if (hint?.seq !== e.seq) return undefined;
      out.push(hint);
    }
    return out;
  }

  /**
   * Forgets every hint with `seq <= seq`: persists the new acked seq first, then shortens the
   * log (to its header when nothing is left, by a rewrite when acked records dominate).
   *
   * @throws the file system's error.
   */
  async ack(seq: number): Promise<void> {
    const upTo = Math.min(seq, this.lastSeq);
    if (upTo <= this.acked) return;
    while (this.head < this.entries.length && (this.entries[this.head] as LogEntry).seq <= upTo) {
      this.points -= (this.entries[this.head] as LogEntry).weight;
      this.head++;
    }
    this.acked = upTo;
    await this.saveState();
    const firstLive = this.entries[this.head];
    if (firstLive === undefined) {
      this.entries = [];
      this.head = 0;
      if (this.handle !== undefined && this.end > this.headerLength) {
        await this.truncate(this.headerLength);
      }
      return;
    }
    const dead = firstLive.offset - this.headerLength;
    if (dead >= COMPACT_MIN_DEAD_BYTES && dead >= this.end - firstLive.offset) {
      // The ack is durable already; a failed rewrite only leaves a longer log.
      await this.compact(firstLive).catch(() => undefined);
    } else if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Discards every pending hint and marks the replica as needing repair (durably, before the
   * log is cut).
   *
   * @throws the file system's error.
   */
  async discardAndMark(): Promise<void> {
    this.needsRepair = true;
    this.dropAll();
    await this.saveState();
    if (this.handle !== undefined && this.end > this.headerLength) {
      await this.truncate(this.headerLength);
    }
  }

  /**
   * Clears the needs-repair mark, durably.
   *
   * @throws the file system's error.
   */
  async clearNeedsRepair(): Promise<void> {
    if (!this.needsRepair) return;
    this.needsRepair = false;
    await this.saveState();
  }

  /** Closes the log file. */
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private dropAll(): void {
    this.acked = Math.max(this.acked, this.lastSeq);
    this.entries = [];
    this.head = 0;
    this.points = 0;
  }

  private saveState(): Promise<void> {
    const line = stateLine({
      replicaId: this.replicaId,
      acked: this.acked,
      needsRepair: this.needsRepair,
    });
    return replaceFile(this.dir, this.baseName + STATE_SUFFIX, line, this.durable);
  }

  private async ensureLog(replace: boolean): Promise<FileHandle> {
    if (this.handle !== undefined && !replace) return this.handle;
    const header = headerLine(this.replicaId);
    const name = this.baseName + LOG_SUFFIX;
    // Created whole by a rename, so that a log never exists without its header.
    await replaceFile(this.dir, name, header, this.durable);
    await this.handle?.close();
    this.handle = await open(join(this.dir, name), 'r+');
    this.headerLength = header.length;
    this.end = header.length;
    this.dirtyFrom = undefined;
    return this.handle;
  }

  private async truncate(length: number): Promise<void> {
    if (this.handle === undefined) return;
    await this.handle.truncate(length);
    if (this.durable) await this.handle.datasync();
    this.end = length;
    this.dirtyFrom = undefined;
  }

  private async compact(firstLive: LogEntry): Promise<void> {
    const old = this.handle;
    if (old === undefined) return;
    const header = headerLine(this.replicaId);
    const path = join(this.dir, this.baseName + LOG_SUFFIX);
    this.handle = await rewriteLog(path, old, header, firstLive.offset, this.end, this.durable);
    await old.close().catch(() => undefined);
    const shift = firstLive.offset - header.length;
    this.entries = this.entries.slice(this.head).map((e) => ({ ...e, offset: e.offset - shift }));
    this.head = 0;
    this.headerLength = header.length;
    this.end -= shift;
  }
}
