/**
 * Reading a replica's hint log at start: find where each live record lies, without keeping the
 * records themselves in memory, and find where the good part of the file ends.
 *
 * @module
 */
import type { FileHandle } from 'node:fs/promises';
import { hintWeight } from './hint-input.js';
import { decodeHeader, decodeHint, unframeLine } from './hint-record.js';

const NEWLINE = 0x0a;
const CHUNK_BYTES = 1 << 20;

/** Where one live record lies in its log. */
export interface LogEntry {
  /** The hint's sequence number. */
  readonly seq: number;
  /** Byte offset of the record's line. */
  readonly offset: number;
  /** Length of the line, its `\n` included. */
  readonly length: number;
  /** Points plus ids in the hint (what it counts against `maxPointsPerReplica`). */
  readonly weight: number;
}

/** Where a log stops making sense. */
export interface LogProblem {
  /** Byte offset of the first bad line; everything from here on is dropped. */
  readonly offset: number;
  /** What was wrong, for the corruption report. */
  readonly reason: string;
  /**
   * `true` when a whole (newline-terminated) line was bad: the record may have been
   * acknowledged, so what follows is lost and the replica needs repair. `false` for a torn
   * tail, an append that never completed and so was never acknowledged.
   */
  readonly complete: boolean;
}

/** What {@link scanLog} found. */
export interface LogScan {
  /** The replica named by the header, or `undefined` when the header is bad. */
  readonly replicaId: string | undefined;
  /** Length of the header line. */
  readonly headerLength: number;
  /** Records with `seq > floor`, in file order. */
  readonly entries: LogEntry[];
  /**
   * The largest seq the file may have held, acked ones included (0 when none): the last good
   * seq, plus one per line dropped after a damaged record (seqs in a log are consecutive), so
   * that a new process never hands out a seq that a lost record had.
   */
  readonly lastSeq: number;
  /** Offset just after the last good line. */
  readonly end: number;
  /** The first problem, when the file does not end cleanly. */
  readonly problem: LogProblem | undefined;
}

/**
 * Reads a whole log, one 1 MiB chunk at a time, and indexes it: the header, then one entry per
 * record with `seq > floor`. Stops at the first bad line: a bad checksum, bad JSON, a record
 * that is not a hint, or a seq that does not grow (replaying past a damaged record could skip a
 * write, so nothing after it is trusted).
 *
 * @param handle - The log, open for reading.
 * @param floor - Records with `seq <= floor` were acked; they are checked but not indexed.
 * @returns The index, the end of the good part and the first problem.
 * @throws the file system's error when the file cannot be read.
 * @example
 * ```ts
 * const scan = await scanLog(handle, state.acked);
 * if (scan.problem) await handle.truncate(scan.end);
 * ```
 */
export async function scanLog(handle: FileHandle, floor: number): Promise<LogScan> {
  const { size } = await handle.stat();
  const entries: LogEntry[] = [];
  let replicaId: string | undefined;
  let headerLength = 0;
  let lastSeq = 0;
  let end = 0;

  // Returns a problem for a bad line, undefined for a good one.
  const accept = (line: Buffer, offset: number): LogProblem | undefined => {
    const value = unframeLine(line);
    if (offset === 0) {
      replicaId = decodeHeader(value);
      if (replicaId === undefined) return { offset, reason: 'bad header line', complete: true };
      headerLength = line.length + 1;
      end = headerLength;
      return undefined;
    }
    if (value === undefined) {
      return { offset, reason: 'checksum or JSON mismatch', complete: true };
    }
    const hint = decodeHint(value);
    if (hint === undefined) return { offset, reason: 'not a hint record', complete: true };
    if (hint.seq <= lastSeq) {
      return {
        offset,
        reason: `seq ${hint.seq} does not follow ${lastSeq}`,
        complete: true,
      };
    }
    lastSeq = hint.seq;
    end = offset + line.length + 1;
    if (hint.seq > floor) {
      entries.push({ seq: hint.seq, offset, length: line.length + 1, weight: hintWeight(hint) });
    }
    return undefined;
  };

  let position = 0;
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0;
  let found: LogProblem | undefined;
  let droppedLines = 0;
  while (position < size) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - position));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const data =
      carry.length === 0
        ? chunk.subarray(0, bytesRead)
        : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
    let start = 0;
    for (let nl = data.indexOf(NEWLINE); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
      // After a damaged record, only count the lines: each may have held a seq.
      if (found === undefined) found = accept(data.subarray(start, nl), carryOffset + start);
      if (found !== undefined) droppedLines++;
      start = nl + 1;
    }
    // Copy the partial line: the chunk buffer is not reused, but a view would pin all of it.
    carry = Buffer.from(data.subarray(start));
    carryOffset += start;
  }
  if (found !== undefined) {
    if (carry.length > 0) droppedLines++;
    lastSeq += droppedLines;
    return result(found);
  }
  if (carry.length > 0) {
    return result({
      offset: carryOffset,
      reason:
        carryOffset === 0
          ? 'torn header line'
          : `torn tail of ${carry.length} bytes without a newline`,
      complete: carryOffset === 0,
    });
  }
  if (size === 0) return result({ offset: 0, reason: 'empty log file', complete: true });
  return result(undefined);

  function result(problem: LogProblem | undefined): LogScan {
    return { replicaId, headerLength, entries, lastSeq, end, problem };
  }
}
