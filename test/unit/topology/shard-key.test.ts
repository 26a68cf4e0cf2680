import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import type { Payload } from '../../../src/core/types.js';
import fc from 'fast-check';
import { murmur3_32 } from '../../../src/core/hash.js';
import { hashShardKey, keyString, shardKeyOf } from '../../../src/topology/shard-key.js';

describe('shardKeyOf', () => {
  it('uses the id for the id key', () => {
    expect(shardKeyOf('id', { id: 'doc-1', payload: { tenant: 'acme' } })).toBe('doc-1');
    expect(shardKeyOf('id', { id: 42 })).toBe(42);
  });

  it('uses a top-level payload field for a field key', () => {
    const key = { field: 'tenant' };
    expect(shardKeyOf(key, { id: 1, payload: { tenant: 'acme' } })).toBe('acme');
    expect(shardKeyOf(key, { id: 1, payload: { tenant: 7.5 } })).toBe(7.5);
    expect(shardKeyOf(key, { id: 1, payload: { tenant: '' } })).toBe('');
  });

  it.each<[Payload | undefined, string]>([
    [undefined, 'received undefined'],
    [{}, 'received undefined'],
    [{ tenant: null }, 'received null'],
    [{ tenant: true }, 'received boolean true'],
    [{ tenant: ['a'] }, 'received array of length 1'],
    [{ tenant: { id: 'a' } }, 'received object Object'],
    [{ tenant: Number.POSITIVE_INFINITY }, 'received number Infinity'],
    [{ tenant: Number.NaN }, 'received number NaN'],
  ])('rejects payload %j', (payload, received) => {
    const point = payload === undefined ? { id: 'doc-9' } : { id: 'doc-9', payload };
    expect(() => shardKeyOf({ field: 'tenant' }, point)).toThrow(InvalidArgumentError);
    expect(() => shardKeyOf({ field: 'tenant' }, point)).toThrow(
      `shard key field \`payload.tenant\` of point string "doc-9" must be a string or a finite number, ${received}`,
    );
  });

  it('reads own properties only', () => {
    expect(() => shardKeyOf({ field: 'toString' }, { id: 1, payload: {} })).toThrow(
      'received undefined',
    );
    const bare = Object.create(null) as Payload;
    bare['tenant'] = 'x';
    expect(shardKeyOf({ field: 'tenant' }, { id: 1, payload: bare })).toBe('x');
  });
});

describe('keyString', () => {
  it('tells numbers from strings', () => {
    expect(keyString(1)).toBe('n:1');
    expect(keyString('1')).toBe('s:1');
    expect(keyString('n:1')).toBe('s:n:1');
    expect(keyString(-0)).toBe(keyString(0));
    expect(keyString(1.5)).toBe('n:1.5');
    expect(keyString('')).toBe('s:');
  });
});

describe('hashShardKey', () => {
  it('is murmur3_32 of the key string', () => {
    const edge = [0, -0, 1, -1, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32];
    const more = [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1.5, -2.5e-7, 1e21, 2 ** 60];
    for (const v of [...edge, ...more, '', 'doc-1', '1', 'é😀', '\ud800']) {
      expect(hashShardKey(v)).toBe(murmur3_32(keyString(v)));
    }
    const key = fc.oneof(
      fc.maxSafeInteger(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string(),
    );
    fc.assert(
      fc.property(key, (v) => {
        expect(hashShardKey(v)).toBe(murmur3_32(keyString(v)));
      }),
      { numRuns: 1000, seed: 42 },
    );
  });
});
