/**
 * Shard keys: the value a shard map routes on, taken from a point's id or from one top-level
 * payload field, and its canonical string form for hashing.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../core/errors.js';
import { murmur3_32Bytes, murmur3_32Prefixed } from '../core/hash.js';
import type { Payload, PointId } from '../core/types.js';
import type { ResolvedShardKey } from './sharding-options.js';

/** The value a shard map routes on: a string or a finite number. `1` and `'1'` differ. */
export type ShardKeyValue = string | number;

/**
 * The shard key of one point.
 *
 * For the `id` key it is the id itself (ids are validated elsewhere). For a field key it is the
 * payload's top-level field of that name, which must be a string or a finite number: a point
 * without it cannot be placed, so it is rejected rather than sent to an arbitrary shard.
 *
 * @param key - The resolved shard key.
 * @param point - The point (only `id` and `payload` are read).
 * @returns The value to route on.
 * @throws {@link InvalidArgumentError} when the key field is missing or holds anything other
 * than a string or a finite number.
 * @example
 * ```ts
 * shardKeyOf('id', { id: 'doc-1' }); // 'doc-1'
 * shardKeyOf({ field: 'tenant' }, { id: 7, payload: { tenant: 'acme' } }); // 'acme'
 * ```
 */
export function shardKeyOf(
  key: ResolvedShardKey,
  point: { readonly id: PointId; readonly payload?: Payload | undefined },
): ShardKeyValue {
  if (key === 'id') return point.id;
  const payload = point.payload;
  // Own properties only: a field named like an Object.prototype member must not leak in.
  const value =
    payload !== undefined && Object.hasOwn(payload, key.field) ? payload[key.field] : undefined;
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) {
    return value;
  }
  throw new InvalidArgumentError(
    `shard key field \`payload.${key.field}\` of point ${describeValue(point.id)} must be a string or a finite number, received ${describeValue(value)}`,
  );
}

/**
 * The canonical string a shard key is hashed as: `n:` plus the number's JavaScript string form,
 * or `s:` plus the string, so that `1` and `'1'` land independently. `-0` and `0` give the same
 * string (they are equal keys).
 *
 * @param v - A shard key value.
 * @returns The hashing input.
 * @example
 * ```ts
 * keyString(1);   // 'n:1'
 * keyString('1'); // 's:1'
 * ```
 */
export function keyString(v: ShardKeyValue): string {
  return typeof v === 'number' ? `n:${String(v)}` : `s:${v}`;
}

// Scratch space for `n:` plus the digits of a safe integer (at most 2 + 1 + 16 bytes).
const digits = new Uint8Array(24);
const COLON = 0x3a;
const LETTER_N = 0x6e;
const MINUS = 0x2d;
const ZERO = 0x30;

/** `murmur3_32('n:' + String(v))` for a safe integer, without allocating the string. */
function hashSafeInteger(v: number): number {
  let end = 0;
  digits[end++] = LETTER_N;
  digits[end++] = COLON;
  if (v < 0) digits[end++] = MINUS;
  let rest = Math.abs(v); // -0 becomes 0, as String(-0) is '0'
  const first = end;
  // Above 2^31 divide as doubles (exact for safe integers), then with int32 arithmetic.
  while (rest > 0x7fffffff) {
    const q = Math.floor(rest / 10);
    digits[end++] = ZERO + (rest - q * 10);
    rest = q;
  }
  let small = rest | 0;
  do {
    const q = (small / 10) | 0;
    digits[end++] = ZERO + (small - q * 10);
    small = q;
  } while (small > 0);
  for (let i = first, j = end - 1; i < j; i++, j--) {
    const t = digits[i] as number;
    digits[i] = digits[j] as number;
    digits[j] = t;
  }
  return murmur3_32Bytes(digits, 0, end);
}

/**
 * The 32-bit hash shard maps route on: `murmur3_32(keyString(v))`, computed without building the
 * key string (safe integers are encoded into a scratch buffer, strings hashed after a prefix).
 *
 * @param v - A shard key value.
 * @returns An unsigned 32-bit integer.
 * @example
 * ```ts
 * hashShardKey('doc-1') === murmur3_32('s:doc-1'); // true
 * hashShardKey(42) === murmur3_32('n:42'); // true
 * ```
 */
export function hashShardKey(v: ShardKeyValue): number {
  if (typeof v === 'string') return murmur3_32Prefixed('s:', v);
  return Number.isSafeInteger(v) ? hashSafeInteger(v) : murmur3_32Prefixed('n:', String(v));
}
