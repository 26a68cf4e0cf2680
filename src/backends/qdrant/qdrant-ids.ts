/**
 * Point ids on Qdrant. Qdrant takes only unsigned integers and UUIDs as point ids, while vecmesh
 * ids are strings or safe integers (negative ones too), and `1` and `'1'` are different ids. So
 * every id becomes a name-based UUID (version 5, RFC 9562 section 5.5) of its type-tagged key
 * (`idKey`: `n:1`, `s:1`), and the original id travels in the payload under
 * {@link QDRANT_ID_KEY}, from where reads return it.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { VecmeshError, type ErrorMeta } from '../../core/errors.js';
import { idKey, validateId } from '../../core/ids.js';
import type { PointId } from '../../core/types.js';
import { checkArray } from '../argument-checks.js';

/**
 * The namespace of the name-based UUIDs, fixed for good: changing it would orphan every point
 * already stored.
 */
export const QDRANT_ID_NAMESPACE = '3c5e0f4a-8d1b-4f6e-9a27-5b0c1d2e3f40';

/** The reserved payload key holding a point's original vecmesh id. */
export const QDRANT_ID_KEY = '__vecmesh_id';

/**
 * The Qdrant point id (a lowercase, hyphenated UUID) of a vecmesh id: the version-5 UUID of
 * `idKey(id)` in {@link QDRANT_ID_NAMESPACE}. Deterministic, so every client maps an id the same
 * way; `1` and `'1'` get different UUIDs because their keys differ (`n:1`, `s:1`).
 *
 * @param id - A valid point id.
 * @returns The UUID, as Qdrant prints it back.
 *
 * @example
 * ```ts
 * qdrantPointId('doc-1'); // the same UUID on every call and every machine
 * qdrantPointId(1) !== qdrantPointId('1'); // true
 * ```
 */
export function qdrantPointId(id: PointId): string {
  return uuidV5(QDRANT_ID_NAMESPACE, idKey(id));
}

/**
 * A name-based UUID, version 5 (RFC 9562 section 5.5): the first 16 bytes of
 * SHA-1(namespace bytes, name as UTF-8), with the version and variant bits set.
 *
 * @param namespace - A UUID in its hyphenated text form.
 * @param name - The name.
 * @returns The UUID in lowercase hyphenated form.
 *
 * @example
 * ```ts
 * uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com');
 * // '2ed6657d-e927-568b-95e1-2665a8aea6a2' (RFC 9562, appendix A.4)
 * ```
 */
export function uuidV5(namespace: string, name: string): string {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  // Version 5 in the high nibble of byte 6, variant 10 in the top bits of byte 8.
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The original id stored under {@link QDRANT_ID_KEY}, or `undefined` when the value is not a
 * vecmesh id (a point written by another client).
 *
 * @param value - The payload value.
 * @returns The id, or `undefined`.
 *
 * @example
 * ```ts
 * originalId('doc-1'); // 'doc-1'
 * originalId(1.5);     // undefined
 * ```
 */
export function originalId(value: unknown): PointId | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  return undefined;
}

/**
 * Checks a list of ids and answers their Qdrant point ids, each once, in the order first asked.
 *
 * @param ids - The caller's ids.
 * @param meta - The call's meta, added to what is thrown.
 * @returns The distinct UUIDs.
 * @throws `InvalidArgumentError` when `ids` is not an array or holds a bad id.
 *
 * @example
 * ```ts
 * qdrantPointIds([1, 1, 'a'], meta); // [uuid of 1, uuid of 'a']
 * ```
 */
export function qdrantPointIds(ids: readonly PointId[], meta: ErrorMeta): string[] {
  const list = checkArray(ids, 'ids', meta);
  const out = new Set<string>();
  list.forEach((id, i) => {
    let valid: PointId;
    try {
      valid = validateId(id, `ids[${i}]`);
    } catch (err) {
      if (err instanceof VecmeshError) throw err.withMeta(meta);
      throw err;
    }
    out.add(qdrantPointId(valid));
  });
  return [...out];
}
