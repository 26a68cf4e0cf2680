import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import {
  MAX_PAYLOAD_BYTES,
  MAX_PAYLOAD_DEPTH,
  clonePayload,
  isPlainObject,
  validatePayload,
} from '../../../src/core/payload.js';
import type { Payload } from '../../../src/core/types.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as Error).message;
  }
  throw new Error('expected a throw');
}

function nested(depth: number): Record<string, unknown> {
  let p: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < depth; i++) p = { n: p };
  return p;
}

describe('validatePayload', () => {
  it('accepts undefined and JSON objects, returning the same value', () => {
    expect(validatePayload(undefined, 'payload')).toBeUndefined();
    const p = {
      s: 'x',
      n: -1.5,
      b: false,
      z: null,
      a: [1, 'two', [3], { four: 4 }],
      o: { deep: { deeper: [] } },
      'any key ✓': {},
    };
    expect(validatePayload(p, 'payload')).toBe(p);
    expect(validatePayload(Object.create(null), 'payload')).toEqual({});
    expect(validatePayload(JSON.parse('{"__proto__": {"x": 1}}'), 'payload')).toBeDefined();
  });

  it.each<[string, unknown, string]>([
    ['a string', 'x', '`points[0].payload` must be a plain object, received string "x"'],
    ['null', null, '`points[0].payload` must be a plain object, received null'],
    ['an array', [1], '`points[0].payload` must be a plain object, received array of length 1'],
    ['a Map', new Map(), '`points[0].payload` must be a plain object, received object Map'],
  ])('rejects %s at the top', (_what, value, message) => {
    expect(messageOf(() => validatePayload(value, 'points[0].payload'))).toBe(message);
  });

  const JSON_ONLY =
    'must be JSON (a finite number, string, boolean, null, array or plain object), received';
  class Thing {
    readonly kind = 'thing';
  }

  it.each<[string, unknown, string, string]>([
    ['NaN', { a: Number.NaN }, '`p.a`', 'number NaN'],
    ['Infinity', { a: { b: [1, Infinity] } }, '`p.a.b[1]`', 'number Infinity'],
    ['undefined', { a: undefined }, '`p.a`', 'undefined'],
    ['a function', { a: () => 1 }, '`p.a`', 'function'],
    ['a bigint', { a: 1n }, '`p.a`', 'bigint 1'],
    ['a symbol', { a: Symbol('s') }, '`p.a`', ''],
    ['a Date', { when: new Date(0) }, '`p.when`', 'object Date'],
    ['a class instance', { x: new Thing() }, '`p.x`', 'object Thing'],
    ['a typed array', { v: new Float32Array(2) }, '`p.v`', 'Float32Array of length 2'],
    ['an odd key', { 'a b': [undefined] }, '`p["a b"][0]`', 'undefined'],
  ])('rejects %s inside, naming the path', (_what, value, path, received) => {
    expect(messageOf(() => validatePayload(value, 'p'))).toContain(
      `${path} ${JSON_ONLY} ${received}`.trimEnd(),
    );
  });

  it('rejects a hole in an array', () => {
    const holey: unknown[] = [];
    holey[2] = 1;
    expect(messageOf(() => validatePayload({ a: holey }, 'p'))).toContain('`p.a[0]`');
  });

  it('bounds the depth, including cycles', () => {
    expect(validatePayload(nested(MAX_PAYLOAD_DEPTH), 'p')).toBeDefined();
    expect(messageOf(() => validatePayload(nested(MAX_PAYLOAD_DEPTH + 1), 'p'))).toContain(
      `nests deeper than ${MAX_PAYLOAD_DEPTH} levels`,
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(messageOf(() => validatePayload(cyclic, 'p'))).toContain('`p.self.self.self');
  });

  it('bounds the size in UTF-8 bytes of JSON, with a configurable limit', () => {
    const exactly = (bytes: number): Payload => ({ s: 'x'.repeat(bytes - '{"s":""}'.length) });
    expect(validatePayload(exactly(MAX_PAYLOAD_BYTES), 'p')).toBeDefined();
    // Plain ASCII is refused during the walk, before serialising.
    expect(messageOf(() => validatePayload(exactly(MAX_PAYLOAD_BYTES + 1), 'p'))).toBe(
      `\`p\` must be at most ${MAX_PAYLOAD_BYTES} bytes as JSON, received more than ${MAX_PAYLOAD_BYTES} bytes`,
    );
    // Multi-byte characters count by their UTF-8 length: 'é' is 2 bytes, '🚀' 4.
    expect(validatePayload({ s: 'é'.repeat(10) }, 'p', 28)).toBeDefined();
    expect(messageOf(() => validatePayload({ s: 'é'.repeat(10) }, 'p', 27))).toContain(
      'received 28 bytes',
    );
    expect(messageOf(() => validatePayload({ s: '🚀' }, 'p', 11))).toContain('received 12 bytes');
    // Escapes count too.
    expect(messageOf(() => validatePayload({ s: '"\n' }, 'p', 11))).toContain('received 12 bytes');
  });

  it('refuses a huge payload early, without walking all of it', () => {
    const values = new Array<number>(5_000_000).fill(0);
    let read = 0;
    // Counts element reads, so that "early" is checked by work done rather than by time.
    const counted = new Proxy(values, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) read++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    expect(messageOf(() => validatePayload({ a: counted }, 'p'))).toContain(
      `received more than ${MAX_PAYLOAD_BYTES} bytes`,
    );
    expect(read).toBeLessThan(values.length);
  });

  it('refuses __proto__ and constructor.prototype keys at any depth when asked to', () => {
    const refuse = (value: unknown) => () =>
      validatePayload(value, 'points[3].payload', MAX_PAYLOAD_BYTES, 'refuse');
    expect(messageOf(refuse(JSON.parse('{"__proto__": {"x": 1}}')))).toMatch(
      /^`points\[3\]\.payload\.__proto__` is refused: a `__proto__` or `constructor\.prototype` key/,
    );
    expect(messageOf(refuse({ constructor: { prototype: { x: 1 } } }))).toMatch(
      /^`points\[3\]\.payload\.constructor\.prototype` is refused/,
    );
    expect(messageOf(refuse({ a: [1, JSON.parse('{"__proto__": 1}')] }))).toMatch(
      /^`points\[3\]\.payload\.a\[1\]\.__proto__` is refused/,
    );
    expect(messageOf(refuse({ a: { b: { constructor: { prototype: 1 } } } }))).toMatch(
      /^`points\[3\]\.payload\.a\.b\.constructor\.prototype` is refused/,
    );
    // `constructor` without a `prototype` inside, and `prototype` alone, are plain data.
    const fine = { constructor: 'c', c2: { constructor: { x: 1 } }, prototype: { x: 1 } };
    expect(refuse(fine)()).toBe(fine);
    // The default keeps them as data (the memory backend and the node's store rely on it).
    expect(validatePayload({ constructor: { prototype: 1 } }, 'payload')).toBeDefined();
  });
});

describe('clonePayload', () => {
  it('deep-copies so that neither side sees the other change', () => {
    const original: Payload = { a: [1, { b: 'c' }], o: { n: null } };
    const copy = clonePayload(original);
    expect(copy).toEqual(original);
    expect(copy).not.toBe(original);
    ((copy.a as Payload[])[1] as Payload).b = 'changed';
    (original.o as Payload).n = 5;
    expect(original).toEqual({ a: [1, { b: 'c' }], o: { n: 5 } });
    expect(copy).toEqual({ a: [1, { b: 'changed' }], o: { n: null } });
    expect(clonePayload(undefined)).toBeUndefined();
  });

  it('copies __proto__ keys as data and pollutes nothing', () => {
    const hostile = JSON.parse(
      '{"__proto__": {"polluted": 1}, "nested": {"__proto__": {"polluted": 2}}, "list": [{"__proto__": {"polluted": 3}}]}',
    ) as Payload;
    const copy = clonePayload(validatePayload(hostile, 'p')!);
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect((copy as { polluted?: number }).polluted).toBeUndefined();
    const nestedCopy = copy.nested as Payload;
    expect(Object.getPrototypeOf(nestedCopy)).toBe(Object.prototype);
    expect(Object.hasOwn(nestedCopy, '__proto__')).toBe(true);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(hostile));
  });

  it('copies constructor and prototype keys as plain data', () => {
    const copy = clonePayload({ constructor: 'c', prototype: { x: 1 }, hasOwnProperty: 1 });
    expect(copy.constructor).toBe('c');
    expect(Object.hasOwn(copy, 'hasOwnProperty')).toBe(true);
  });
});

describe('isPlainObject', () => {
  it('accepts object literals and null-prototype objects only', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject(new Date())).toBe(false);
    expect(isPlainObject(Object.create({}))).toBe(false);
    expect(isPlainObject('x')).toBe(false);
  });
});
