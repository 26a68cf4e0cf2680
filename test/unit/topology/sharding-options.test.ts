import { describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidTopologyError } from '../../../src/core/errors.js';
import {
  resolveShardKey,
  resolveShardingOptions,
  SHARDING_STRATEGIES,
} from '../../../src/topology/sharding-options.js';

function errorOf(fn: () => unknown): InvalidTopologyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTopologyError);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidTopologyError).code).toBe('VECMESH_ERR_INVALID_TOPOLOGY');
    return error as InvalidTopologyError;
  }
  throw new Error('expected an error');
}

describe('resolveShardingOptions', () => {
  it('defaults to consistent hashing on the id with 160 virtual nodes', () => {
    const resolved = resolveShardingOptions(undefined);
    expect(resolved).toEqual({ strategy: 'consistent-hash', virtualNodes: 160, key: 'id' });
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it('fills in defaults for every strategy', () => {
    expect(resolveShardingOptions({ strategy: 'hash' })).toEqual({ strategy: 'hash', key: 'id' });
    expect(resolveShardingOptions({ strategy: 'jump' })).toEqual({ strategy: 'jump', key: 'id' });
    expect(resolveShardingOptions({ strategy: 'rendezvous', key: 'id' })).toEqual({
      strategy: 'rendezvous',
      key: 'id',
    });
    expect(resolveShardingOptions({ strategy: 'consistent-hash', virtualNodes: 7 })).toEqual({
      strategy: 'consistent-hash',
      virtualNodes: 7,
      key: 'id',
    });
    const range = resolveShardingOptions({
      strategy: 'range',
      boundaries: ['g', 'p'],
      key: { field: 'name' },
    });
    expect(range).toEqual({ strategy: 'range', boundaries: ['g', 'p'], key: { field: 'name' } });
    expect(range.strategy === 'range' && Object.isFrozen(range.boundaries)).toBe(true);
    expect(Object.isFrozen(range.key)).toBe(true);
    expect(SHARDING_STRATEGIES).toHaveLength(5);
  });

  it('copies the boundaries so later changes to the input do not leak in', () => {
    const boundaries = [1, 2, 3];
    const resolved = resolveShardingOptions({ strategy: 'range', boundaries });
    boundaries.push(4);
    expect(resolved.strategy === 'range' && resolved.boundaries).toEqual([1, 2, 3]);
  });

  it.each([
    [null, '`sharding` must be an object, received null'],
    ['jump', '`sharding` must be an object, received string "jump"'],
    [
      {},
      "`sharding.strategy` must be one of 'hash', 'consistent-hash', 'jump', 'rendezvous', 'range', received undefined",
    ],
    [{ strategy: 'modulo' }, '`sharding.strategy` must be one of'],
    [
      { strategy: 'hash', vnodes: 3 },
      "unknown option `sharding.vnodes` for strategy 'hash'; expected one of strategy, key",
    ],
    [
      { strategy: 'hash', virtualNodes: 3 },
      "unknown option `sharding.virtualNodes` for strategy 'hash'",
    ],
    [
      { strategy: 'jump', boundaries: [1] },
      "unknown option `sharding.boundaries` for strategy 'jump'",
    ],
    [
      { strategy: 'consistent-hash', virtualNodes: 0 },
      '`sharding.virtualNodes` must be an integer in [1, 10000], received number 0',
    ],
    [{ strategy: 'consistent-hash', virtualNodes: 10_001 }, 'received number 10001'],
    [{ strategy: 'consistent-hash', virtualNodes: 1.5 }, 'received number 1.5'],
    [{ strategy: 'consistent-hash', virtualNodes: '160' }, 'received string "160"'],
    [
      { strategy: 'range' },
      '`sharding.boundaries` must be a non-empty array of numbers or of strings, received undefined',
    ],
    [
      { strategy: 'range', boundaries: [] },
      '`sharding.boundaries` must be a non-empty array of numbers or of strings, received array of length 0',
    ],
    [
      { strategy: 'range', boundaries: [true] },
      '`sharding.boundaries[0]` must be a finite number or a string, received boolean true',
    ],
    [
      { strategy: 'range', boundaries: [Number.NaN] },
      '`sharding.boundaries[0]` must be a finite number or a string, received number NaN',
    ],
    [
      { strategy: 'range', boundaries: [1, Infinity] },
      '`sharding.boundaries[1]` must be a finite number, like `sharding.boundaries[0]`, received number Infinity',
    ],
    [
      { strategy: 'range', boundaries: [1, 'b'] },
      '`sharding.boundaries[1]` must be a finite number, like `sharding.boundaries[0]`, received string "b"',
    ],
    [
      { strategy: 'range', boundaries: ['a', 2] },
      '`sharding.boundaries[1]` must be a string, like `sharding.boundaries[0]`, received number 2',
    ],
    [
      { strategy: 'range', boundaries: [1, 5, 5] },
      '`sharding.boundaries` must be strictly increasing, but `sharding.boundaries[2]` (number 5) is not greater than `sharding.boundaries[1]` (number 5)',
    ],
    [{ strategy: 'range', boundaries: ['b', 'a'] }, 'must be strictly increasing'],
    [
      { strategy: 'hash', key: 'ID' },
      '`sharding.key` must be \'id\' or { field: string }, received string "ID"',
    ],
    [
      { strategy: 'hash', key: { field: '1abc' } },
      '`sharding.key.field` must be a field name matching /^[A-Za-z_][A-Za-z0-9_]*$/, received string "1abc"',
    ],
    [{ strategy: 'hash', key: { field: 'a.b' } }, '`sharding.key.field` must be a field name'],
    [
      { strategy: 'hash', key: { name: 'tenant' } },
      'unknown option `sharding.key.name`; expected one of field',
    ],
    [
      { strategy: 'hash', key: {} },
      '`sharding.key.field` must be a field name matching /^[A-Za-z_][A-Za-z0-9_]*$/, received undefined',
    ],
  ])('rejects %j', (input, message) => {
    expect(errorOf(() => resolveShardingOptions(input)).message).toContain(message);
  });

  it('names the path it is given', () => {
    expect(
      errorOf(() => resolveShardingOptions({ strategy: 'x' }, 'opts.sharding')).message,
    ).toMatch(/^`opts\.sharding\.strategy`/);
  });
});

describe('resolveShardKey', () => {
  it("accepts 'id', undefined and a field", () => {
    expect(resolveShardKey(undefined)).toBe('id');
    expect(resolveShardKey('id')).toBe('id');
    expect(resolveShardKey({ field: '_tenant1' })).toEqual({ field: '_tenant1' });
  });
});
