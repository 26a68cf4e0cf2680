/**
 * Vectors as bytes, for the write-ahead log (base64 of the bytes) and the snapshot files (raw
 * bytes): little-endian IEEE 754 float32 on every platform, so that a data directory moves
 * between machines and every value comes back bit for bit (JSON numbers would too, at about
 * twice the size and a slower parse).
 *
 * @module
 */
import { endianness } from 'node:os';

// Swap on the rare big-endian host, so that the files are little-endian everywhere.
const BIG_ENDIAN = endianness() === 'BE';

/**
 * The little-endian bytes of float32 values, as a new buffer.
 *
 * @param values - The values.
 * @returns `values.length * 4` bytes the caller owns.
 * @example
 * ```ts
 * float32Bytes(Float32Array.of(1)).toString('hex'); // '0000803f'
 * ```
 */
export function float32Bytes(values: Float32Array): Buffer {
  const out = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const copy = Buffer.from(out);
  if (BIG_ENDIAN) copy.swap32();
  return copy;
}

/**
 * Reads little-endian float32 bytes back into a new array.
 *
 * @param bytes - A multiple of 4 bytes.
 * @returns A fresh, aligned `Float32Array`, or `undefined` when the length is not a multiple of 4.
 * @example
 * ```ts
 * fromFloat32Bytes(Buffer.from('0000803f', 'hex')); // Float32Array [1]
 * ```
 */
export function fromFloat32Bytes(bytes: Buffer): Float32Array | undefined {
  if (bytes.length % 4 !== 0) return undefined;
  const out = new Float32Array(bytes.length / 4);
  // Copied byte-wise: a Buffer from a pool or a file chunk may start at an unaligned offset.
  const view = new Uint8Array(out.buffer);
  view.set(bytes);
  if (BIG_ENDIAN) Buffer.from(out.buffer).swap32();
  return out;
}

/**
 * A vector as base64 of its little-endian float32 bytes: exact and a third smaller than JSON.
 *
 * @param vector - The vector.
 * @returns The base64 text.
 * @example
 * ```ts
 * encodeVector(Float32Array.of(1, 2)); // 'AACAPwAAAEA='
 * ```
 */
export function encodeVector(vector: Float32Array): string {
  return float32Bytes(vector).toString('base64');
}

/**
 * Reads a vector written by {@link encodeVector}.
 *
 * @param text - The base64 text.
 * @param dimension - The length the vector must have, when known.
 * @returns The vector, or `undefined` when the text is not canonical base64 of whole float32
 *   values, has the wrong length, or holds a value that is not finite.
 * @example
 * ```ts
 * decodeVector('AACAPwAAAEA=', 2); // Float32Array [1, 2]
 * ```
 */
export function decodeVector(text: unknown, dimension?: number): Float32Array | undefined {
  if (typeof text !== 'string') return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Node's decoder skips junk silently; only text that round-trips was written by us.
  if (bytes.toString('base64') !== text) return undefined;
  const vector = fromFloat32Bytes(bytes);
  if (vector === undefined || vector.length === 0) return undefined;
  if (dimension !== undefined && vector.length !== dimension) return undefined;
  for (const x of vector) if (!Number.isFinite(x)) return undefined;
  return vector;
}
