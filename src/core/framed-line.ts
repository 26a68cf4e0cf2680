/**
 * Checksummed lines, the record format of every append-only log vecmesh keeps on disk (the file
 * hint store, the reference node's write-ahead log): one record per line,
 * `<crc32 hex> <json>\n`, the CRC-32 taken over the JSON's UTF-8 bytes. A line whose checksum or
 * JSON does not hold up was torn by a crash or damaged on disk; the reader detects it instead of
 * replaying garbage.
 *
 * @module
 */
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

const NEWLINE = 0x0a;
const SPACE = 0x20;
const CRC_DIGITS = 8;
const CHUNK_BYTES = 1 << 20;

/**
 * Frames a JSON text as one checksummed line.
 *
 * @param json - The record's JSON text; it must not contain a raw newline (JSON text never does).
 * @returns The line, its `\n` included.
 * @example
 * ```ts
 * frameLine('{"a":1}').toString(); // '<8 hex digits> {"a":1}\n'
 * ```
 */
export function frameLine(json: string): Buffer {
  const body = Buffer.from(json, 'utf8');
  const line = Buffer.allocUnsafe(CRC_DIGITS + 1 + body.length + 1);
  line.write(crc32(body).toString(16).padStart(CRC_DIGITS, '0'), 0, 'latin1');
  line[CRC_DIGITS] = SPACE;
  body.copy(line, CRC_DIGITS + 1);
  line[line.length - 1] = NEWLINE;
  return line;
}

/**
 * Reads one line (without its `\n`) back into its JSON value.
 *
 * @param line - The line's bytes without the newline.
 * @returns The parsed value, or `undefined` when the checksum or the JSON does not hold up.
 * @example
 * ```ts
 * unframeLine(frameLine('{"a":1}').subarray(0, -1)); // { a: 1 }
 * ```
 */
export function unframeLine(line: Buffer): unknown {
  if (line.length < CRC_DIGITS + 2 || line[CRC_DIGITS] !== SPACE) return undefined;
  const digits = line.toString('latin1', 0, CRC_DIGITS);
  if (!/^[0-9a-f]{8}$/.test(digits)) return undefined;
  const body = line.subarray(CRC_DIGITS + 1);
  if (crc32(body) !== Number.parseInt(digits, 16)) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Where {@link readLines} stopped. */
export interface LinesRead {
  /** Bytes read from the file (its size, unless it shrank while being read). */
  readonly end: number;
  /**
   * Offset just after the last newline: bytes from here to `end` are a partial line (a torn
   * append), or nothing when `tailOffset === end`.
   */
  readonly tailOffset: number;
}

/**
 * Reads a whole file line by line, 1 MiB at a time, so that memory stays bounded by the longest
 * line rather than the file.
 *
 * @param handle - The file, open for reading.
 * @param visit - Called with every complete line (without its `\n`) and the line's byte offset,
 *   in file order. The buffer is only valid during the call; copy what must outlive it.
 * @returns Where the last complete line ends and how much was read.
 * @throws the file system's error when the file cannot be read.
 * @example
 * ```ts
 * const { tailOffset, end } = await readLines(handle, (line, offset) => {
 *   records.push({ offset, value: unframeLine(line) });
 * });
 * if (tailOffset < end) report(`torn tail of ${end - tailOffset} bytes`);
 * ```
 */
export async function readLines(
  handle: FileHandle,
  visit: (line: Buffer, offset: number) => void,
): Promise<LinesRead> {
  const { size } = await handle.stat();
  let position = 0;
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0;
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
      visit(data.subarray(start, nl), carryOffset + start);
      start = nl + 1;
    }
    // Copy the partial line: a view would pin the whole chunk until the next one arrives.
    carry = Buffer.from(data.subarray(start));
    carryOffset += start;
  }
  return { end: carryOffset + carry.length, tailOffset: carryOffset };
}
