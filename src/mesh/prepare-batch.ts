/**
 * Validates a whole write batch before anything is sent, so that a bad point never leaves a
 * batch half-applied: either every point is valid, or `InvalidBatchError` lists each bad one.
 *
 * @module
 */
import {
  InvalidArgumentError,
  InvalidBatchError,
  VecmeshError,
  describeValue,
  type PointProblem,
} from '../core/errors.js';
import { idKey, validateId } from '../core/ids.js';
import { firstUnknownKey } from '../core/options.js';
import { MAX_PAYLOAD_BYTES, validatePayload } from '../core/payload.js';
import type { CollectionSpec, Point, PointId } from '../core/types.js';
import { toVector } from '../core/vector.js';
import { idBytes, pointBytes } from '../core/point-size.js';
import { shardKeyOf, type ShardKeyValue } from '../topology/shard-key.js';
import type { ResolvedShardKey } from '../topology/sharding-options.js';

/** At most this many problems are listed in one `InvalidBatchError`. */
const MAX_LISTED_PROBLEMS = 100;

/** The fields of a point; any other is refused rather than silently dropped. */
const POINT_KEYS: readonly string[] = ['id', 'vector', 'payload'];

/** A validated item of a write batch, ready to be routed and chunked. */
export interface PreparedItem<T> {
  /** The id, validated. */
  readonly id: PointId;
  /** The shard key (the id, or a payload field), or `undefined` when it cannot be known (delete by id under a field key). */
  readonly key: ShardKeyValue | undefined;
  /** Estimated request bytes. */
  readonly bytes: number;
  /** What goes to the backend. */
  readonly value: T;
}

/**
 * Validates an upsert batch: ids (present, valid, no duplicates), no field but `id`, `vector`
 * and `payload` (a misspelt `paylaod` is refused, not dropped), vectors (dimension, finite
 * numbers), payloads (JSON objects without `__proto__` or `constructor.prototype` keys, which
 * some backends refuse) and shard keys. Every point is checked before anything is sent.
 *
 * @throws {@link InvalidArgumentError} when `points` is not an array or is too long.
 * @throws {@link InvalidBatchError} listing every invalid point (up to 100).
 */
export function prepareUpsert(
  points: unknown,
  spec: CollectionSpec,
  shardKey: ResolvedShardKey,
  maxBatchPoints: number,
): PreparedItem<Point>[] {
  const list = batchArray(points, 'points', maxBatchPoints);
  const problems: PointProblem[] = [];
  const seen = new Map<string, number>();
  const out: PreparedItem<Point>[] = [];
  for (let i = 0; i < list.length; i++) {
    const path = `points[${i}]`;
    const raw: unknown = list[i];
    let id: PointId | undefined;
    try {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new InvalidArgumentError(
          `\`${path}\` must be an object { id, vector, payload? }, received ${describeValue(raw)}`,
        );
      }
      const candidate = raw as Record<string, unknown>;
      id = validateId(candidate.id, `${path}.id`);
      const unknown = firstUnknownKey(candidate, POINT_KEYS);
      if (unknown !== undefined) {
        throw new InvalidArgumentError(
          `unknown point field \`${path}.${unknown}\`; expected one of ${POINT_KEYS.join(', ')}`,
        );
      }
      const key = idKey(id);
      const first = seen.get(key);
      if (first !== undefined) {
        throw new InvalidArgumentError(
          `\`${path}.id\` ${describeValue(id)} repeats \`points[${first}].id\`; ids must be unique in one batch`,
        );
      }
      seen.set(key, i);
      const vector = toVector(candidate.vector, spec.dimension, `${path}.vector`, spec.metric);
      const payload = validatePayload(
        candidate.payload,
        `${path}.payload`,
        MAX_PAYLOAD_BYTES,
        'refuse',
      );
      const point: Point = payload === undefined ? { id, vector } : { id, vector, payload };
      const shard = shardKeyOf(shardKey, point);
      out.push({ id, key: shard, bytes: pointBytes(point), value: point });
    } catch (error) {
      if (!(error instanceof VecmeshError)) throw error;
      problems.push(id === undefined ? { index: i, error } : { index: i, id, error });
    }
  }
  if (problems.length > 0) throw batchError('upsert', problems, list.length);
  return out;
}

/**
 * Validates a batch of ids (delete, get): each valid, none repeated.
 *
 * @throws {@link InvalidArgumentError} when `ids` is not an array or is too long.
 * @throws {@link InvalidBatchError} listing every invalid id (up to 100).
 */
export function prepareIds(
  ids: unknown,
  shardKey: ResolvedShardKey,
  maxBatchPoints: number,
  operation: string,
): PreparedItem<PointId>[] {
  const list = batchArray(ids, 'ids', maxBatchPoints);
  const problems: PointProblem[] = [];
  const seen = new Map<string, number>();
  const out: PreparedItem<PointId>[] = [];
  for (let i = 0; i < list.length; i++) {
    try {
      const id = validateId(list[i], `ids[${i}]`);
      const first = seen.get(idKey(id));
      if (first !== undefined) {
        throw new InvalidArgumentError(
          `\`ids[${i}]\` ${describeValue(id)} repeats \`ids[${first}]\`; ids must be unique in one batch`,
        );
      }
      seen.set(idKey(id), i);
      // Under a payload shard key an id alone does not say which shard holds it.
      out.push({ id, key: shardKey === 'id' ? id : undefined, bytes: idBytes(id), value: id });
    } catch (error) {
      if (!(error instanceof VecmeshError)) throw error;
      problems.push({ index: i, error });
    }
  }
  if (problems.length > 0) throw batchError(operation, problems, list.length);
  return out;
}

function batchArray(value: unknown, name: string, max: number): readonly unknown[] {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(
      `\`${name}\` must be an array, received ${describeValue(value)}`,
    );
  }
  if (value.length > max) {
    throw new InvalidArgumentError(
      `\`${name}\` has ${value.length} items, more than \`limits.maxBatchPoints\` (${max}); split the batch`,
    );
  }
  return value as readonly unknown[];
}

function batchError(operation: string, problems: PointProblem[], size: number): InvalidBatchError {
  const first = problems[0] as PointProblem;
  return new InvalidBatchError(
    `\`${operation}\` rejected: ${problems.length} of ${size} items are invalid, nothing was written; first: ${first.error.message}`,
    problems.slice(0, MAX_LISTED_PROBLEMS),
  );
}
