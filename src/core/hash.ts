/**
 * Fast, deterministic, non-cryptographic hashing for routing: MurmurHash3 (x86, 32-bit) over the
 * UTF-8 bytes of a string, plus the small 32-bit mixers built from it.
 *
 * Everything here works on 32-bit integers with `Math.imul` and shifts: no `BigInt`, no
 * allocation, no platform dependence, so every process (and every version of vecmesh that keeps
 * these functions) maps a key to the same value. Never use these for anything security related.
 *
 * @module
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Rotates a 32-bit value left by `r` bits. */
function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** Mixes one 4-byte block `k` into the running hash `h` (the MurmurHash3 x86_32 body step). */
function mixBlock(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = rotl32(k, 15);
  k = Math.imul(k, C2);
  h ^= k;
  h = rotl32(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * The MurmurHash3 finalizer: spreads every input bit over every output bit. A bijection on
 * 32-bit values, so distinct inputs stay distinct.
 *
 * @param h - Any number; only its low 32 bits are used.
 * @returns An unsigned 32-bit integer.
 * @example
 * ```ts
 * fmix32(1); // 0x514e28b7
 * ```
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * MurmurHash3 x86_32 of the UTF-8 encoding of `str`.
 *
 * The string is encoded on the fly (no buffer is allocated). Surrogate pairs become their 4-byte
 * UTF-8 sequence; a lone surrogate becomes U+FFFD, exactly as `TextEncoder` and
 * `Buffer.from(str, 'utf8')` encode it, so the result equals the reference algorithm run over
 * those bytes and matches other languages' MurmurHash3 implementations.
 *
 * @param str - The text to hash.
 * @param seed - Selects an independent hash function.
 * @default seed 0
 * @returns An unsigned 32-bit integer.
 * @example
 * ```ts
 * murmur3_32('hello'); // 0x248bfa47
 * murmur3_32('hello', 1) !== murmur3_32('hello'); // true
 * ```
 */
export function murmur3_32(str: string, seed = 0): number {
  return murmurFrom(str, seed | 0, 0, 0, 0);
}

/**
 * `murmur3_32(prefix + str, seed)` without building the joined string, which would cost an
 * allocation and a copy (V8 flattens the joined rope on first read), as much as hashing a short
 * key. Fastest when `prefix` is at most 3 ASCII characters (it then seeds the first block);
 * any other prefix falls back to hashing the concatenation.
 *
 * @param prefix - A short tag, e.g. `'s:'`.
 * @param str - The text after it.
 * @param seed - Selects an independent hash function.
 * @default seed 0
 * @returns An unsigned 32-bit integer.
 * @example
 * ```ts
 * murmur3_32Prefixed('s:', 'doc-1') === murmur3_32('s:doc-1'); // true
 * ```
 */
export function murmur3_32Prefixed(prefix: string, str: string, seed = 0): number {
  const p = prefix.length;
  if (p > 3) return murmur3_32(prefix + str, seed);
  let k = 0;
  for (let i = 0; i < p; i++) {
    const c = prefix.charCodeAt(i);
    if (c >= 0x80) return murmur3_32(prefix + str, seed);
    k |= c << (i * 8);
  }
  return murmurFrom(str, seed | 0, k, p * 8, p);
}

/**
 * MurmurHash3 x86_32 of `bytes[0..end)`: the textbook algorithm over raw bytes, for callers that
 * encode their input into a reusable buffer instead of building a string.
 *
 * @param bytes - The input bytes.
 * @param seed - Selects an independent hash function.
 * @param end - How many bytes of `bytes` to hash.
 * @default seed 0, end bytes.length
 * @returns An unsigned 32-bit integer.
 * @example
 * ```ts
 * murmur3_32Bytes(new TextEncoder().encode('hello')) === murmur3_32('hello'); // true
 * ```
 */
export function murmur3_32Bytes(bytes: Uint8Array, seed = 0, end = bytes.length): number {
  let h = seed | 0;
  const blocks = end & ~3;
  let i = 0;
  for (; i < blocks; i += 4) {
    h = mixBlock(
      h,
      (bytes[i] as number) |
        ((bytes[i + 1] as number) << 8) |
        ((bytes[i + 2] as number) << 16) |
        ((bytes[i + 3] as number) << 24),
    );
  }
  if (i < end) {
    let k = 0;
    for (let shift = 0; i < end; i++, shift += 8) k |= (bytes[i] as number) << shift;
    k = Math.imul(k, C1);
    k = rotl32(k, 15);
    k = Math.imul(k, C2);
    h ^= k;
  }
  return fmix32(h ^ end);
}

/**
 * The MurmurHash3 x86_32 loop over the UTF-8 bytes of `str`, resuming from a state: hash `h`,
 * `shift / 8` pending bytes in `k`, `length` bytes consumed so far.
 */
function murmurFrom(str: string, h: number, k: number, shift: number, length: number): number {
  const n = str.length;
  let i = 0;
  // Fast path: four ASCII characters make one block (shifted by the bytes already pending).
  for (; i + 4 <= n; i += 4) {
    const c0 = str.charCodeAt(i);
    const c1 = str.charCodeAt(i + 1);
    const c2 = str.charCodeAt(i + 2);
    const c3 = str.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) >= 0x80) break;
    const word = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
    if (shift === 0) {
      h = mixBlock(h, word);
    } else {
      h = mixBlock(h, k | (word << shift));
      k = word >>> (32 - shift);
    }
    length += 4;
  }
  for (; i < n; i++) {
    let cp = str.charCodeAt(i);
    if (cp < 0x80) {
      // ASCII: the common case for ids, kept free of the generic byte loop.
      k |= cp << shift;
      shift += 8;
      length += 1;
      if (shift === 32) {
        h = mixBlock(h, k);
        k = 0;
        shift = 0;
      }
      continue;
    }
    let bytes: number; // up to 4 UTF-8 bytes packed little-endian
    let count: number;
    if (cp < 0x800) {
      bytes = 0xc0 | (cp >>> 6) | ((0x80 | (cp & 0x3f)) << 8);
      count = 2;
    } else {
      if (cp >= 0xd800 && cp <= 0xdfff) {
        const next = i + 1 < n ? str.charCodeAt(i + 1) : 0;
        if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
          i++;
        } else {
          cp = 0xfffd; // lone surrogate, as TextEncoder does
        }
      }
      if (cp < 0x10000) {
        bytes =
          0xe0 | (cp >>> 12) | ((0x80 | ((cp >>> 6) & 0x3f)) << 8) | ((0x80 | (cp & 0x3f)) << 16);
        count = 3;
      } else {
        bytes =
          0xf0 |
          (cp >>> 18) |
          ((0x80 | ((cp >>> 12) & 0x3f)) << 8) |
          ((0x80 | ((cp >>> 6) & 0x3f)) << 16) |
          ((0x80 | (cp & 0x3f)) << 24);
        count = 4;
      }
    }
    length += count;
    for (let c = 0; c < count; c++) {
      k |= ((bytes >>> (c * 8)) & 0xff) << shift;
      shift += 8;
      if (shift === 32) {
        h = mixBlock(h, k);
        k = 0;
        shift = 0;
      }
    }
  }
  if (shift !== 0) {
    k = Math.imul(k, C1);
    k = rotl32(k, 15);
    k = Math.imul(k, C2);
    h ^= k;
  }
  return fmix32(h ^ length);
}

/**
 * Combines two 32-bit hashes into one well-mixed 32-bit value: MurmurHash3 x86_32 of the 8 bytes
 * `a` then `b` (little-endian), with seed 0. Not symmetric: `mixHashes(a, b)` and
 * `mixHashes(b, a)` differ, and for a fixed `a` it is a bijection of `b`.
 *
 * Used where a score must depend on two hashed things at once, e.g. rendezvous hashing's
 * `score(key, shard)`.
 *
 * @param a - First hash (low 32 bits used).
 * @param b - Second hash (low 32 bits used).
 * @returns An unsigned 32-bit integer.
 * @example
 * ```ts
 * const score = mixHashes(murmur3_32('doc-1'), murmur3_32('s0'));
 * ```
 */
export function mixHashes(a: number, b: number): number {
  return mixHashesFinish(mixHashesStart(a), b);
}

/**
 * The part of {@link mixHashes} that depends only on `a`: compute it once and finish it with
 * {@link mixHashesFinish} for many `b` (one key scored against every shard).
 *
 * @param a - First hash (low 32 bits used).
 * @returns An opaque 32-bit state.
 * @example
 * ```ts
 * const state = mixHashesStart(keyHash);
 * const scores = shardHashes.map((h) => mixHashesFinish(state, h)); // = mixHashes(keyHash, h)
 * ```
 */
export function mixHashesStart(a: number): number {
  return mixBlock(0, a);
}

/**
 * Finishes {@link mixHashes}: `mixHashesFinish(mixHashesStart(a), b) === mixHashes(a, b)`.
 *
 * @param state - From {@link mixHashesStart}.
 * @param b - Second hash (low 32 bits used).
 * @returns An unsigned 32-bit integer.
 */
export function mixHashesFinish(state: number, b: number): number {
  return fmix32(mixBlock(state, b) ^ 8);
}
