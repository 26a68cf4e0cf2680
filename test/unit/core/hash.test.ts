import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fmix32,
  mixHashes,
  mixHashesFinish,
  mixHashesStart,
  murmur3_32,
  murmur3_32Bytes,
  murmur3_32Prefixed,
} from '../../../src/core/hash.js';

/** Textbook MurmurHash3 x86_32 over a byte array: the reference the streaming version must match. */
function referenceMurmur(bytes: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
  let h = seed | 0;
  const blocks = bytes.length - (bytes.length % 4);
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(rotl(Math.imul(k, c1), 15), c2);
    h = rotl(h ^ k, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let i = bytes.length - 1; i >= blocks; i--) k = (k << 8) | bytes[i]!;
  if (bytes.length > blocks) h ^= Math.imul(rotl(Math.imul(k, c1), 15), c2);
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('murmur3_32', () => {
  it('matches the published MurmurHash3 x86_32 answers', () => {
    expect(murmur3_32('')).toBe(0);
    expect(murmur3_32('', 1)).toBe(0x514e28b7);
    expect(murmur3_32('hello')).toBe(0x248bfa47);
    expect(murmur3_32('test')).toBe(0xba6bd213);
    expect(murmur3_32('Hello, world!', 1234)).toBe(0xfaf6cdb3);
    expect(murmur3_32('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
  });

  it('hashes the UTF-8 bytes, whatever the tail length', () => {
    for (const s of [
      'a',
      'ab',
      'abc',
      'abcd',
      'abcde',
      'é',
      'aé',
      '€',
      'a€b',
      '😀',
      'x😀yz',
      '日本語',
    ]) {
      expect(murmur3_32(s)).toBe(referenceMurmur(utf8(s)));
      expect(murmur3_32(s, 0xdeadbeef)).toBe(referenceMurmur(utf8(s), 0xdeadbeef));
    }
  });

  it('encodes lone surrogates as U+FFFD, like TextEncoder', () => {
    for (const s of ['\ud800', 'a\udc00b', '\ud83d', '\udc00\ud800', '\ud83d\ude00\ud83d']) {
      expect(murmur3_32(s)).toBe(referenceMurmur(utf8(s)));
    }
    expect(murmur3_32('\ud800')).toBe(murmur3_32('\ufffd'));
  });

  it('equals the reference on arbitrary UTF-16 strings and seeds', () => {
    const units = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 24 })
      .map((codes) => String.fromCharCode(...codes));
    const text = fc.oneof(units, fc.string({ unit: 'grapheme', maxLength: 24 }), fc.string());
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 0xffffffff }), (s, seed) => {
        expect(murmur3_32(s, seed)).toBe(referenceMurmur(utf8(s), seed));
      }),
      { numRuns: 500, seed: 42 },
    );
  });

  it('returns unsigned 32-bit integers', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const h = murmur3_32(s);
        expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
      }),
      { numRuns: 200, seed: 42 },
    );
  });
});

describe('murmur3_32Bytes', () => {
  it('equals the reference on byte arrays, whole or cut short', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.nat(),
        fc.integer({ min: 0, max: 0xffffffff }),
        (bytes, cut, seed) => {
          expect(murmur3_32Bytes(bytes, seed)).toBe(referenceMurmur(bytes, seed));
          const end = bytes.length === 0 ? 0 : cut % (bytes.length + 1);
          expect(murmur3_32Bytes(bytes, seed, end)).toBe(
            referenceMurmur(bytes.subarray(0, end), seed),
          );
        },
      ),
      { numRuns: 300, seed: 42 },
    );
    expect(murmur3_32Bytes(utf8('hello'))).toBe(0x248bfa47);
  });
});

describe('murmur3_32Prefixed', () => {
  it('equals murmur3_32 of the concatenation, for short ASCII and other prefixes', () => {
    const prefix = fc.oneof(
      fc.constantFrom('', 's:', 'n:', 'abc'),
      fc.string({ maxLength: 5 }),
      fc.constantFrom('é', '\ud83d', 'long-prefix'),
    );
    const text = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('\ude00', '😀', 'x\udc00'));
    fc.assert(
      fc.property(prefix, text, fc.integer({ min: 0, max: 0xffffffff }), (p, s, seed) => {
        expect(murmur3_32Prefixed(p, s, seed)).toBe(murmur3_32(p + s, seed));
      }),
      { numRuns: 500, seed: 42 },
    );
  });
});

describe('fmix32', () => {
  it('is the MurmurHash3 finalizer', () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
    expect(fmix32(-1)).toBe(fmix32(0xffffffff));
  });
});

describe('mixHashes', () => {
  it('is MurmurHash3 of the two values as 8 little-endian bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (a, b) => {
          const bytes = new Uint8Array(8);
          new DataView(bytes.buffer).setUint32(0, a, true);
          new DataView(bytes.buffer).setUint32(4, b, true);
          expect(mixHashes(a, b)).toBe(referenceMurmur(bytes));
          expect(mixHashesFinish(mixHashesStart(a), b)).toBe(mixHashes(a, b));
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });

  it('is not symmetric', () => {
    expect(mixHashes(1, 2)).not.toBe(mixHashes(2, 1));
  });
});
