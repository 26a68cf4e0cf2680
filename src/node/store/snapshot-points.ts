/**
 * The points file of a collection snapshot, written and read in 1 MiB pieces so that a snapshot
 * never needs a second copy of the data in memory.
 *
 * Layout (the whole file's length and CRC-32 are kept in the manifest):
 *
 * ```text
 * <crc32 hex> {"vecmeshPoints":1,"dimension":d,"count":n}\n   header line
 * n x float64 LE                                                 labels
 * n x d x float32 LE                                             vectors
 * n lines of JSON: [id, payload or null]\n                       ids and payloads
 * ```
 *
 * @module
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { TMP_SUFFIX, writeFully } from '../../core/durable-file.js';
import { BackendError, messageOf } from '../../core/errors.js';
import { frameLine, unframeLine } from '../../core/framed-line.js';
import { idKey, validateId } from '../../core/ids.js';
import { isPlainObject, validatePayload } from '../../core/payload.js';
import { PointTable } from './point-table.js';
import type { SnapshotFileRef } from './snapshot-manifest.js';
import { float32Bytes, fromFloat32Bytes } from './vector-bytes.js';

const FORMAT_VERSION = 1;
const PIECE_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Writes a collection's points to `dir/file` (through a temporary file, flushed and renamed;
 * the caller flushes the directory once for all the files of a snapshot).
 *
 * @param dir - The data directory.
 * @param file - The file name.
 * @param table - The points; they must not change while the file is written.
 * @param dimension - The collection's dimension.
 * @param durable - Flush to disk.
 * @returns The file's reference for the manifest.
 * @throws the file system's error; the temporary file is removed.
 * @example
 * ```ts
 * const ref = await writePointsFile(dir, 'snap-42-0.points', collection.table, 768, true);
 * ```
 */
export async function writePointsFile(
  dir: string,
  file: string,
  table: PointTable,
  dimension: number,
  durable: boolean,
): Promise<SnapshotFileRef> {
  const path = join(dir, file);
  const temp = path + TMP_SUFFIX;
  const handle = await open(temp, 'w');
  try {
    const sink = new Sink(handle);
    await sink.write(
      frameLine(JSON.stringify({ vecmeshPoints: FORMAT_VERSION, dimension, count: table.size })),
    );
    for (const r of table.records()) {
      const label = Buffer.allocUnsafe(8);
      label.writeDoubleLE(r.label);
      await sink.write(label);
    }
    for (const r of table.records()) await sink.write(float32Bytes(r.vector));
    for (const r of table.records()) {
      await sink.write(Buffer.from(`${JSON.stringify([r.id, r.payload ?? null])}\n`, 'utf8'));
    }
    await sink.flush();
    if (durable) await handle.sync();
    await handle.close();
    await rename(temp, path);
    return { file, bytes: sink.position, crc: sink.crc };
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * Reads a points file back into a table, checking its length and CRC-32 against the manifest.
 *
 * @param dir - The data directory.
 * @param ref - The file's reference from the manifest.
 * @param dimension - The collection's dimension.
 * @returns The points, labels as they were.
 * @throws {@link BackendError} when the file is missing, damaged or does not match the manifest.
 * @example
 * ```ts
 * const table = await readPointsFile(dir, entry.points, entry.spec.dimension);
 * ```
 */
export async function readPointsFile(
  dir: string,
  ref: SnapshotFileRef,
  dimension: number,
): Promise<PointTable> {
  const path = join(dir, ref.file);
  const damaged = (why: string, cause?: unknown): BackendError =>
    new BackendError(
      `the snapshot file ${path} is damaged (${why}); the store will not start with part of its data. Restore the directory from a backup, or remove it and let the mesh repair the replica`,
      cause === undefined ? undefined : { cause },
    );
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw damaged('cannot be opened', err);
  }
  try {
    const source = new Source(handle);
    const header = unframeLine(await source.line());
    if (
      !isPlainObject(header) ||
      header['vecmeshPoints'] !== FORMAT_VERSION ||
      header['dimension'] !== dimension ||
      typeof header['count'] !== 'number' ||
      !Number.isSafeInteger(header['count']) ||
      header['count'] < 0
    ) {
      throw damaged('bad header');
    }
    const count = header['count'];
    const labels: number[] = [];
    for (let i = 0; i < count; i++) labels.push((await source.take(8)).readDoubleLE(0));
    const vectors: Float32Array[] = [];
    for (let i = 0; i < count; i++) {
      vectors.push(fromFloat32Bytes(await source.take(dimension * 4)) ?? new Float32Array(0));
    }
    const table = new PointTable();
    for (let i = 0; i < count; i++) {
      const label = labels[i] as number;
      const row: unknown = JSON.parse((await source.line()).toString('utf8'));
      if (!Array.isArray(row) || row.length !== 2 || !Number.isSafeInteger(label) || label < 0) {
        throw damaged(`bad point ${i}`);
      }
      const id = validateId(row[0], 'id');
      const payload = row[1] === null ? undefined : validatePayload(row[1], 'payload');
      if (!table.restore(id, idKey(id), label, vectors[i] as Float32Array, payload)) {
        throw damaged(`point ${i} repeats an id or a label`);
      }
    }
    table.seal();
    const { bytes, crc } = await source.finish();
    if (bytes !== ref.bytes || crc !== ref.crc) throw damaged('length or checksum mismatch');
    return table;
  } catch (err) {
    if (err instanceof BackendError) throw err;
    throw damaged(messageOf(err), err);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * The length and CRC-32 of a whole file, read 1 MiB at a time.
 *
 * @param path - The file.
 * @returns Its length and checksum.
 * @throws the file system's error.
 * @example
 * ```ts
 * const { bytes, crc } = await fileChecksum('/data/snap-42-0.hnsw');
 * ```
 */
export async function fileChecksum(path: string): Promise<{ bytes: number; crc: number }> {
  const handle = await open(path, 'r');
  try {
    const source = new Source(handle);
    while (!(await source.atEnd())) await source.take(Math.min(PIECE_BYTES, source.buffered));
    return await source.finish();
  } finally {
    await handle.close();
  }
}

/** Buffers writes into 1 MiB pieces and keeps a running CRC-32. */
class Sink {
  position = 0;
  crc = 0;
  private parts: Buffer[] = [];
  private pending = 0;

  constructor(private readonly handle: FileHandle) {}

  async write(data: Buffer): Promise<void> {
    this.parts.push(data);
    this.pending += data.length;
    if (this.pending >= PIECE_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending === 0) return;
    const data = Buffer.concat(this.parts, this.pending);
    this.parts = [];
    this.pending = 0;
    this.crc = crc32(data, this.crc);
    await writeFully(this.handle, data, this.position);
    this.position += data.length;
  }
}

/** Reads a file front to back in 1 MiB pieces, keeping a running CRC-32 of what was read. */
class Source {
  private data: Buffer = Buffer.alloc(0);
  private offset = 0;
  private read = 0;
  private crc = 0;
  private eof = false;

  constructor(private readonly handle: FileHandle) {}

  /** Bytes read from the file but not yet taken. */
  get buffered(): number {
    return this.data.length - this.offset;
  }

  /** The next `n` bytes (a view, valid until the next call). */
  async take(n: number): Promise<Buffer> {
    await this.fill(n);
    if (this.buffered < n) throw new Error('the file ends early');
    const out = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** The next line without its newline (a view, valid until the next call). */
  async line(): Promise<Buffer> {
    // Bytes after `offset` already searched for a newline.
    let searched = 0;
    for (;;) {
      const nl = this.data.indexOf(NEWLINE, this.offset + searched);
      if (nl >= 0) {
        const out = this.data.subarray(this.offset, nl);
        this.offset = nl + 1;
        return out;
      }
      if (this.eof) throw new Error('the file ends inside a line');
      searched = this.buffered;
      await this.fill(searched + 1);
    }
  }

  /** Whether every byte was taken and the file has no more. */
  async atEnd(): Promise<boolean> {
    await this.fill(1);
    return this.buffered === 0;
  }

  /** Checks that nothing is left, and returns the length and checksum of the file. */
  async finish(): Promise<{ bytes: number; crc: number }> {
    if (!(await this.atEnd())) throw new Error('the file has bytes after its last point');
    return { bytes: this.read, crc: this.crc };
  }

  private async fill(want: number): Promise<void> {
    while (this.buffered < want && !this.eof) {
      const chunk = Buffer.allocUnsafe(Math.max(PIECE_BYTES, want - this.buffered));
      const { bytesRead } = await this.handle.read(chunk, 0, chunk.length, this.read);
      if (bytesRead === 0) {
        this.eof = true;
        return;
      }
      const got = chunk.subarray(0, bytesRead);
      this.crc = crc32(got, this.crc);
      this.read += bytesRead;
      this.data = Buffer.concat([this.data.subarray(this.offset), got]);
      this.offset = 0;
    }
  }
}
