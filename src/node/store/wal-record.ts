/**
 * The records of the reference node's write-ahead log. One record per line, framed with a
 * CRC-32 (`core/framed-line.ts`): `<crc32 hex> <json>\n`. The first line is a header naming the
 * format and the seq the log starts after; every record carries the next seq.
 *
 * ```text
 * {"vecmeshWal":1,"base":0}
 * {"seq":1,"op":"create","collection":"docs","spec":{"dimension":2,"metric":"l2","index":{"type":"hnsw","m":16,"efConstruction":128}}}
 * {"seq":2,"op":"upsert","collection":"docs","points":[{"id":"a","vector":"AACAPwAAAEA=","payload":{"lang":"en"}}]}
 * {"seq":3,"op":"delete","collection":"docs","ids":["a"]}
 * {"seq":4,"op":"drop","collection":"docs"}
 * ```
 *
 * Vectors are base64 of their little-endian float32 bytes: exact, and a third smaller than JSON
 * numbers. Decoding checks every field again, so that a record that passes its checksum but not
 * its shape stops the replay as damage would, instead of applying nonsense.
 *
 * @module
 */
import { frameLine } from '../../core/framed-line.js';
import { idKey, validateId } from '../../core/ids.js';
import { isPlainObject, validatePayload } from '../../core/payload.js';
import type { PointId } from '../../core/types.js';
import { normalizeSpec, type PreparedPoint, type StoreSpec } from './store-checks.js';
import { decodeVector, encodeVector } from './vector-bytes.js';

/** Format version written in the log header. */
export const WAL_FORMAT_VERSION = 1;

/** A change, as logged (without its seq). */
export type WalOp =
  | { readonly op: 'create'; readonly collection: string; readonly spec: StoreSpec }
  | { readonly op: 'drop'; readonly collection: string }
  | {
      readonly op: 'upsert';
      readonly collection: string;
      readonly points: readonly PreparedPoint[];
    }
  | { readonly op: 'delete'; readonly collection: string; readonly ids: readonly PointId[] };

/** A logged change and its seq. */
export type WalRecord = WalOp & { readonly seq: number };

/**
 * The framed log line of a change.
 *
 * @param seq - The record's seq (one more than the previous record's).
 * @param op - The change; its inputs must have been checked.
 * @returns The line, its `\n` included.
 * @example
 * ```ts
 * encodeRecord(7, { op: 'drop', collection: 'docs' });
 * ```
 */
export function encodeRecord(seq: number, op: WalOp): Buffer {
  switch (op.op) {
    case 'create':
      return frameLine(
        JSON.stringify({ seq, op: op.op, collection: op.collection, spec: op.spec }),
      );
    case 'drop':
      return frameLine(JSON.stringify({ seq, op: op.op, collection: op.collection }));
    case 'delete':
      return frameLine(JSON.stringify({ seq, op: op.op, collection: op.collection, ids: op.ids }));
    case 'upsert': {
      const points = op.points.map((p) =>
        p.payload === undefined
          ? { id: p.id, vector: encodeVector(p.vector) }
          : { id: p.id, vector: encodeVector(p.vector), payload: p.payload },
      );
      return frameLine(JSON.stringify({ seq, op: op.op, collection: op.collection, points }));
    }
  }
}

/**
 * Checks a parsed record and returns it.
 *
 * @param value - What `unframeLine` returned for the line.
 * @returns The record, or `undefined` when it is not a well-formed record of this format.
 * @example
 * ```ts
 * decodeRecord({ seq: 7, op: 'drop', collection: 'docs' }); // the record
 * decodeRecord({ seq: 7, op: 'explode' });                  // undefined
 * ```
 */
export function decodeRecord(value: unknown): WalRecord | undefined {
  if (!isPlainObject(value)) return undefined;
  const { seq, op, collection } = value;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  if (typeof collection !== 'string' || collection.length === 0) return undefined;
  try {
    switch (op) {
      case 'create':
        return { seq, op, collection, spec: normalizeSpec(value['spec']) };
      case 'drop':
        return { seq, op, collection };
      case 'delete': {
        const ids = value['ids'];
        if (!Array.isArray(ids)) return undefined;
        return {
          seq,
          op,
          collection,
          ids: ids.map((id: unknown, i) => validateId(id, `ids[${i}]`)),
        };
      }
      case 'upsert': {
        const points = value['points'];
        if (!Array.isArray(points)) return undefined;
        const decoded: PreparedPoint[] = [];
        for (const p of points as unknown[]) {
          const point = decodePoint(p);
          if (point === undefined) return undefined;
          decoded.push(point);
        }
        return { seq, op, collection, points: decoded };
      }
      default:
        return undefined;
    }
  } catch {
    // A check threw: the record has the wrong shape.
    return undefined;
  }
}

function decodePoint(value: unknown): PreparedPoint | undefined {
  if (!isPlainObject(value)) return undefined;
  const id = validateId(value['id'], 'id');
  const vector = decodeVector(value['vector']);
  if (vector === undefined) return undefined;
  // JSON.parse made a fresh object whose keys (even `__proto__`) are own data properties.
  const payload = validatePayload(value['payload'], 'payload');
  return { id, key: idKey(id), vector, payload };
}

/**
 * The first line of every log: the format version and the seq the log's records follow.
 *
 * @param base - The seq of the snapshot the log continues (0 for a log from the start).
 * @returns The framed header line.
 * @example
 * ```ts
 * walHeader(0);
 * ```
 */
export function walHeader(base: number): Buffer {
  return frameLine(JSON.stringify({ vecmeshWal: WAL_FORMAT_VERSION, base }));
}

/**
 * Reads a parsed header line back into its base seq.
 *
 * @param value - What `unframeLine` returned for the first line.
 * @returns The base seq, or `undefined` when the value is not a header of this format.
 * @example
 * ```ts
 * decodeWalHeader({ vecmeshWal: 1, base: 12 }); // 12
 * ```
 */
export function decodeWalHeader(value: unknown): number | undefined {
  if (!isPlainObject(value) || value['vecmeshWal'] !== WAL_FORMAT_VERSION) return undefined;
  const base = value['base'];
  return typeof base === 'number' && Number.isSafeInteger(base) && base >= 0 ? base : undefined;
}
