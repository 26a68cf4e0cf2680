/**
 * Checks shared by every hint store: replica ids, hints, limits and sequence numbers, and the
 * per-replica bounds (`maxHintsPerReplica`, `maxPointsPerReplica`) with their defaults.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { validateId } from '../../core/ids.js';
import { optionInteger } from '../../core/options.js';
import { clonePayload, validatePayload } from '../../core/payload.js';
import type { Point, Vector } from '../../core/types.js';
import type { HintInput } from './hint-store.js';

/** Default of `maxHintsPerReplica`. */
export const DEFAULT_MAX_HINTS_PER_REPLICA = 10_000;
/** Default of `maxPointsPerReplica`. */
export const DEFAULT_MAX_POINTS_PER_REPLICA = 100_000;

/** How much a store keeps per replica before it overflows (and marks the replica for repair). */
export interface HintStoreLimits {
  /**
   * Most pending hints per replica, an integer >= 1.
   * @default 10_000
   */
  maxHintsPerReplica?: number;
  /**
   * Most points and ids, summed over the pending hints of a replica, an integer >= 1. This is
   * what bounds memory (and disk): a hint of 500 points weighs 500.
   * @default 100_000
   */
  maxPointsPerReplica?: number;
}

/** {@link HintStoreLimits} with the defaults filled in. */
export interface ResolvedHintStoreLimits {
  /** Most pending hints per replica. */
  readonly maxHintsPerReplica: number;
  /** Most points plus ids pending per replica. */
  readonly maxPointsPerReplica: number;
}

/**
 * Reads the two limit options of a store's options object.
 *
 * @param options - The store's options (already checked to be an object).
 * @param name - The options' name in messages, e.g. `fileHintStore options`.
 * @returns The frozen limits.
 * @throws `InvalidOptionError` naming the option when a limit is not an integer >= 1.
 * @example
 * ```ts
 * resolveHintLimits({ maxHintsPerReplica: 100 }, 'options'); // { 100, 100_000 }
 * ```
 */
export function resolveHintLimits(
  options: Record<string, unknown>,
  name: string,
): ResolvedHintStoreLimits {
  return Object.freeze({
    maxHintsPerReplica: optionInteger(
      options['maxHintsPerReplica'],
      `${name}.maxHintsPerReplica`,
      DEFAULT_MAX_HINTS_PER_REPLICA,
      1,
    ),
    maxPointsPerReplica: optionInteger(
      options['maxPointsPerReplica'],
      `${name}.maxPointsPerReplica`,
      DEFAULT_MAX_POINTS_PER_REPLICA,
      1,
    ),
  });
}

/**
 * Whether one more hint of `weight` fits beside what a replica already holds.
 *
 * @example
 * ```ts
 * fits({ count: 9, points: 10 }, 5, { maxHintsPerReplica: 10, maxPointsPerReplica: 15 }); // true
 * ```
 */
export function fits(
  held: { readonly count: number; readonly points: number },
  weight: number,
  limits: ResolvedHintStoreLimits,
): boolean {
  return (
    held.count + 1 <= limits.maxHintsPerReplica &&
    held.points + weight <= limits.maxPointsPerReplica
  );
}

/**
 * What a hint weighs against `maxPointsPerReplica`: its points plus its ids.
 *
 * @example
 * ```ts
 * hintWeight({ collection: 'docs', op: 'delete', ids: ['a', 'b'] }); // 2
 * ```
 */
export function hintWeight(hint: HintInput): number {
  return (hint.points?.length ?? 0) + (hint.ids?.length ?? 0);
}

/**
 * Checks a replica id: a non-empty string (any characters; topology ids contain `/`).
 *
 * @throws {@link InvalidArgumentError} when it is not.
 * @example
 * ```ts
 * checkReplicaId('local/s0/r1'); // 'local/s0/r1'
 * ```
 */
export function checkReplicaId(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(
      `\`replicaId\` must be a non-empty string, received ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Checks the `limit` of `pending()`: an integer >= 1.
 *
 * @throws {@link InvalidArgumentError} when it is not.
 * @example
 * ```ts
 * checkPendingLimit(100); // 100
 * ```
 */
export function checkPendingLimit(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(
      `\`limit\` must be an integer >= 1, received ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Checks the `seq` of `ack()`: a non-negative safe integer.
 *
 * @throws {@link InvalidArgumentError} when it is not.
 * @example
 * ```ts
 * checkAckSeq(42); // 42
 * ```
 */
export function checkAckSeq(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(
      `\`seq\` must be a non-negative integer, received ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Checks a hint's shape: a collection name, an operation, and a non-empty list of valid points
 * (for `upsert`) or ids (for `delete`). Vectors must hold finite numbers (JSON has no NaN);
 * their dimension is the replica's business. Returns the same object, not a copy.
 *
 * @param value - The candidate hint.
 * @returns The hint, typed.
 * @throws {@link InvalidArgumentError} naming the offending path, e.g. `hint.points[2].vector[5]`.
 * @example
 * ```ts
 * validateHintInput({ collection: 'docs', op: 'upsert', points: [{ id: 'a', vector: [1, 0] }] });
 * validateHintInput({ collection: 'docs', op: 'delete' }); // throws: `hint.ids` must be ...
 * ```
 */
export function validateHintInput(value: unknown): HintInput {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError(`\`hint\` must be an object, received ${describeValue(value)}`);
  }
  const hint = value as Partial<Record<keyof HintInput, unknown>>;
  if (typeof hint.collection !== 'string' || hint.collection.length === 0) {
    throw new InvalidArgumentError(
      `\`hint.collection\` must be a non-empty string, received ${describeValue(hint.collection)}`,
    );
  }
  if (hint.op === 'upsert') {
    const points = nonEmptyList(hint.points, 'hint.points');
    points.forEach((p, i) => {
      checkPoint(p, `hint.points[${i}]`);
    });
  } else if (hint.op === 'delete') {
    const ids = nonEmptyList(hint.ids, 'hint.ids');
    ids.forEach((id, i) => validateId(id, `hint.ids[${i}]`));
  } else {
    throw new InvalidArgumentError(
      `\`hint.op\` must be 'upsert' or 'delete', received ${describeValue(hint.op)}`,
    );
  }
  return value as HintInput;
}

/**
 * A deep copy of a validated hint holding only its own fields, so that the caller may reuse
 * its arrays. A `Float32Array` stays one (half the memory of `number[]`, same values).
 *
 * @example
 * ```ts
 * const kept = copyHintInput(validateHintInput(input));
 * ```
 */
export function copyHintInput(hint: HintInput): HintInput {
  if (hint.op === 'delete') {
    return Object.freeze({
      collection: hint.collection,
      op: hint.op,
      ids: Object.freeze([...(hint.ids ?? [])]),
    });
  }
  const points = (hint.points ?? []).map((p): Point => {
    const copy: Point = { id: p.id, vector: copyVector(p.vector) };
    if (p.payload !== undefined) copy.payload = clonePayload(p.payload);
    return Object.freeze(copy);
  });
  return Object.freeze({ collection: hint.collection, op: hint.op, points: Object.freeze(points) });
}

function copyVector(vector: Vector): Vector {
  return vector instanceof Float32Array ? new Float32Array(vector) : Object.freeze([...vector]);
}

function nonEmptyList(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidArgumentError(
      `\`${path}\` must be a non-empty array, received ${describeValue(value)}`,
    );
  }
  return value as readonly unknown[];
}

function checkPoint(value: unknown, path: string): void {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError(
      `\`${path}\` must be an object, received ${describeValue(value)}`,
    );
  }
  const point = value as Partial<Record<keyof Point, unknown>>;
  validateId(point.id, `${path}.id`);
  const vector = point.vector;
  if (!(vector instanceof Float32Array) && !Array.isArray(vector)) {
    throw new InvalidArgumentError(
      `\`${path}.vector\` must be an array of numbers or a Float32Array, received ${describeValue(vector)}`,
    );
  }
  const entries = vector as ArrayLike<unknown>;
  if (entries.length === 0) {
    throw new InvalidArgumentError(
      `\`${path}.vector\` must not be empty, received an empty vector`,
    );
  }
  for (let i = 0; i < entries.length; i++) {
    const x = entries[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new InvalidArgumentError(
        `\`${path}.vector[${i}]\` must be a finite number, received ${describeValue(x)}`,
      );
    }
  }
  validatePayload(point.payload, `${path}.payload`);
}
