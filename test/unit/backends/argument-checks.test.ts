import { describe, expect, it } from 'vitest';
import { checkArray, checkCount, checkInteger } from '../../../src/backends/argument-checks.js';
import { InvalidArgumentError } from '../../../src/core/errors.js';

describe('argument checks', () => {
  it('checkInteger takes safe integers in range and names the range it wanted', () => {
    expect(checkInteger(2, 'spec.index.m', 2, 256)).toBe(2);
    expect(checkInteger(2 ** 40, 'limit', 1)).toBe(2 ** 40);
    for (const value of [1, 257, 2.5, '16', Number.NaN]) {
      expect(() => checkInteger(value, 'spec.index.m', 2, 256)).toThrow(InvalidArgumentError);
      expect(() => checkInteger(value, 'spec.index.m', 2, 256)).toThrow(
        '`spec.index.m` must be an integer from 2 to 256, received ',
      );
    }
    // Without a largest value, the message (the node store's) gives the bound it has.
    for (const value of [0, 2 ** 53, undefined]) {
      expect(() => checkInteger(value, 'request.ef', 1)).toThrow(
        '`request.ef` must be an integer of at least 1, received ',
      );
    }
  });

  it('checkCount is checkInteger from 1', () => {
    expect(checkCount(3, 'page.limit', 3)).toBe(3);
    expect(() => checkCount(0, 'request.topK', 4)).toThrow(
      '`request.topK` must be an integer from 1 to 4, received number 0',
    );
  });

  it('checkArray refuses what is not an array', () => {
    expect(checkArray([1], 'ids')).toEqual([1]);
    expect(() => checkArray('x' as unknown as string[], 'ids')).toThrow(
      '`ids` must be an array, received ',
    );
  });
});
