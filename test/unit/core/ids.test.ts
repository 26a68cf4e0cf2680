import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { idKey, parseIdKey, validateId } from '../../../src/core/ids.js';
import { MAX_ID_LENGTH } from '../../../src/core/types.js';

describe('validateId', () => {
  it.each<[unknown]>([
    ['doc-1'],
    ['x'],
    ['ünïcødé 🚀'],
    ['a'.repeat(MAX_ID_LENGTH)],
    [0],
    [42],
    [-7],
    [Number.MAX_SAFE_INTEGER],
    [Number.MIN_SAFE_INTEGER],
  ])('accepts %j', (id) => {
    expect(validateId(id, 'id')).toBe(id);
  });

  it('normalises -0 to 0', () => {
    expect(Object.is(validateId(-0, 'id'), 0)).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['an empty string', '', '`ids[2]` must be a non-empty string, received ""'],
    [
      'a string that is too long',
      'a'.repeat(MAX_ID_LENGTH + 1),
      `\`ids[2]\` must be at most ${MAX_ID_LENGTH} characters long, received a string of length ${MAX_ID_LENGTH + 1}`,
    ],
    ['a float', 1.5, 'received number 1.5'],
    ['NaN', Number.NaN, 'received number NaN'],
    ['Infinity', Infinity, 'received number Infinity'],
    ['an unsafe integer', 2 ** 53, 'received number 9007199254740992'],
    ['a bigint', 1n, 'received bigint 1'],
    ['null', null, 'received null'],
    ['undefined', undefined, 'received undefined'],
    ['an object', { id: 1 }, 'received object Object'],
    ['an array', ['a'], 'received array of length 1'],
    ['a boolean', true, 'received boolean true'],
  ])('rejects %s, naming the path', (_what, value, message) => {
    expect(() => validateId(value, 'ids[2]')).toThrow(InvalidArgumentError);
    expect(() => validateId(value, 'ids[2]')).toThrow(message);
  });

  it('explains what an id may be', () => {
    expect(() => validateId(1.5, 'id')).toThrow(
      `\`id\` must be a non-empty string of at most ${MAX_ID_LENGTH} characters or a safe integer, received number 1.5`,
    );
  });
});

describe('idKey', () => {
  it('keeps numbers and strings apart', () => {
    expect(idKey(1)).toBe('n:1');
    expect(idKey('1')).toBe('s:1');
    expect(idKey(-7)).toBe('n:-7');
    expect(idKey('n:1')).toBe('s:n:1');
    expect(idKey(1)).not.toBe(idKey('1'));
  });

  it('round-trips through parseIdKey', () => {
    for (const id of [
      0,
      1,
      -7,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      'a',
      '1',
      's:x',
      '🚀',
    ]) {
      expect(parseIdKey(idKey(id))).toBe(id);
    }
  });

  it.each(['', 'x:1', 'n:', 'n:01', 'n:+1', 'n:1e3', 'n:-0', 'n:1.5', 'n:9007199254740992', 's:'])(
    'parseIdKey rejects %j',
    (key) => {
      expect(parseIdKey(key)).toBeUndefined();
    },
  );
});
