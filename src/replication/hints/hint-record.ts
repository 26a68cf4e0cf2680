/**
 * The on-disk format of the file hint store: one record per line, `<crc32 hex> <json>\n` (see
 * `core/framed-line.ts`, re-exported here). A line whose checksum or JSON does not hold up was
 * torn by a crash or damaged on disk; the reader detects it instead of replaying garbage.
 *
 * JSON keeps every number exactly: `JSON.stringify` writes the shortest text that parses back
 * to the same double, and a float32 value is a double, so a `Float32Array` vector goes
 * float32 -> double -> text -> double -> float32 without changing a bit.
 *
 * @module
 */
import { frameLine, unframeLine } from '../../core/framed-line.js';
import { isPlainObject } from '../../core/payload.js';
import type { Point } from '../../core/types.js';
import { validateHintInput } from './hint-input.js';
import type { Hint, HintInput } from './hint-store.js';

export { frameLine, unframeLine } from '../../core/framed-line.js';

/** Format version written in every log header and state file. */
export const HINT_FORMAT_VERSION = 1;

const NEWLINE = 0x0a;

/** The durable per-replica state kept beside its log. */
export interface ReplicaState {
  /** The replica the files belong to. */
  readonly replicaId: string;
  /** Every hint with `seq <= acked` is gone (replayed or discarded); seqs continue above it. */
  readonly acked: number;
  /** Hints were discarded: the replica needs repair. */
  readonly needsRepair: boolean;
}

/**
 * The JSON of a hint without its seq and time, made when `append` is called so that the
 * caller may reuse its objects while the write waits for its turn.
 *
 * @example
 * ```ts
 * encodeHintBody({ collection: 'docs', op: 'delete', ids: [1] }); // '{"collection":"docs",...}'
 * ```
 */
export function encodeHintBody(hint: HintInput): string {
  if (hint.op === 'delete') {
    return JSON.stringify({ collection: hint.collection, op: hint.op, ids: hint.ids });
  }
  const points = (hint.points ?? []).map((p) => ({
    id: p.id,
    // A Float32Array would serialise as an object; its elements as doubles are exact.
    vector: Array.from(p.vector),
    ...(p.payload === undefined ? {} : { payload: p.payload }),
  }));
  return JSON.stringify({ collection: hint.collection, op: hint.op, points });
}

/**
 * The framed log line of a hint: its body with `seq` and `createdAt` in front.
 *
 * @example
 * ```ts
 * const line = hintLine(7, Date.now(), encodeHintBody(hint));
 * ```
 */
export function hintLine(seq: number, createdAt: number, body: string): Buffer {
  return frameLine(`{"seq":${seq},"createdAt":${createdAt},${body.slice(1)}`);
}

/**
 * Checks a parsed record and returns it as a hint.
 *
 * @returns The hint, or `undefined` when the record is not a well-formed hint.
 * @example
 * ```ts
 * decodeHint(unframeLine(line)); // { seq, createdAt, collection, op, points | ids }
 * ```
 */
export function decodeHint(value: unknown): Hint | undefined {
  if (!isPlainObject(value)) return undefined;
  const { seq, createdAt, collection, op, points, ids } = value;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) return undefined;
  try {
    const input = validateHintInput({ collection, op, points, ids });
    if (input.op === 'delete') {
      return { seq, createdAt, collection: input.collection, op: input.op, ids: input.ids ?? [] };
    }
    // Keep only the point fields; JSON.parse already made own data properties.
    const clean = (input.points ?? []).map((p): Point => {
      const point: Point = { id: p.id, vector: p.vector };
      if (p.payload !== undefined) point.payload = p.payload;
      return point;
    });
    return { seq, createdAt, collection: input.collection, op: input.op, points: clean };
  } catch {
    return undefined;
  }
}

/**
 * The first line of every log: names its replica, so that file names need not be reversible.
 *
 * @example
 * ```ts
 * headerLine('local/s0/r1');
 * ```
 */
export function headerLine(replicaId: string): Buffer {
  return frameLine(JSON.stringify({ vecmeshHints: HINT_FORMAT_VERSION, replica: replicaId }));
}

/**
 * Reads a parsed header line back into its replica id.
 *
 * @returns The replica id, or `undefined` when the value is not a header of this version.
 * @example
 * ```ts
 * decodeHeader({ vecmeshHints: 1, replica: 'local/s0/r1' }); // 'local/s0/r1'
 * ```
 */
export function decodeHeader(value: unknown): string | undefined {
  if (!isPlainObject(value) || value['vecmeshHints'] !== HINT_FORMAT_VERSION) return undefined;
  const replica = value['replica'];
  return typeof replica === 'string' && replica.length > 0 ? replica : undefined;
}

/**
 * The content of a state file (one framed line).
 *
 * @example
 * ```ts
 * stateLine({ replicaId: 'local/s0/r1', acked: 12, needsRepair: false });
 * ```
 */
export function stateLine(state: ReplicaState): Buffer {
  return frameLine(
    JSON.stringify({
      vecmeshHintState: HINT_FORMAT_VERSION,
      replica: state.replicaId,
      acked: state.acked,
      needsRepair: state.needsRepair,
    }),
  );
}

/**
 * Reads a state file's content back.
 *
 * @returns The state, or `undefined` when the content is damaged or not of this version.
 * @example
 * ```ts
 * decodeState(stateLine(state)); // state
 * ```
 */
export function decodeState(content: Buffer): ReplicaState | undefined {
  const end = content.indexOf(NEWLINE);
  if (end !== content.length - 1) return undefined;
  const value = unframeLine(content.subarray(0, end));
  if (!isPlainObject(value) || value['vecmeshHintState'] !== HINT_FORMAT_VERSION) return undefined;
  const { replica, acked, needsRepair } = value;
  if (typeof replica !== 'string' || replica.length === 0) return undefined;
  if (typeof acked !== 'number' || !Number.isSafeInteger(acked) || acked < 0) return undefined;
  if (typeof needsRepair !== 'boolean') return undefined;
  return { replicaId: replica, acked, needsRepair };
}
