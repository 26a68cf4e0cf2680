/**
 * Reading a replica's hint log at start: find where each live record lies, without keeping the
 * records themselves in memory, and find where the good part of the file ends.
 *
 * @module
 */
import type { FileHandle } from 'node:fs/promises';
import { readLines, unframeLine } from '../../core/framed-line.js';
import { hintWeight } from './hint-input.js';
import { decodeHeader, decodeHint } from './hint-record.js';

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

  let found: LogProblem | undefined;
  let droppedLines = 0;
  const read = await readLines(handle, (line, offset) => {
    // After a damaged record, only count the lines: each may have held a seq.
    found ??= accept(line, offset);
    if (found !== undefined) droppedLines++;
  });
  const tail = read.end - read.tailOffset;
  if (found !== undefined) {
    if (tail > 0) droppedLines++;
    lastSeq += droppedLines;
    return result(found);
  }
  if (tail > 0) {
    return result({
      offset: read.tailOffset,
      reason:
        read.tailOffset === 0 ? 'torn header line' : `torn tail of ${tail} bytes without a newline`,
      complete: read.tailOffset === 0,
    });
  }
  if (read.end === 0) return result({ offset: 0, reason: 'empty log file', complete: true });
  return result(undefined);

  function result(problem: LogProblem | undefined): LogScan {
    return { replicaId, headerLength, entries, lastSeq, end, problem };
  }
}
