/**
 * What the conformance suite does not cover: limits, input validation, copies in and
 * out, cursors, error meta and speed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryBackend, type MemoryBackend } from '../../../src/backends/memory/index.js';
import {
  AbortedError,
  CollectionNotFoundError,
  InvalidArgumentError,
  InvalidFilterError,
  InvalidVectorError,
  TimeoutError,
} from '../../../src/core/errors.js';
import type { BackendSearchRequest } from '../../../src/backends/backend.js';
import type { FilterNode } from '../../../src/core/filter-ast.js';
import type { Payload } from '../../../src/core/types.js';
import { rejection } from '../../helpers/rejection.js';

const f32 = (...v: number[]): Float32Array => Float32Array.from(v);
const request = (
  vectors: Float32Array[],
  topK: number,
  extra: Partial<BackendSearchRequest> = {},
): BackendSearchRequest => ({
  vectors,
  topK,
  includePayload: false,
  includeVector: false,
  ...extra,
});

describe('MemoryBackend calls', () => {
  let b: MemoryBackend;

  beforeEach(async () => {
    b = memoryBackend({
      name: 'unit',
      capabilities: { maxPointsPerRequest: 3, maxTopK: 4, maxQueriesPerRequest: 2 },
    });
    await b.connect();
    await b.createCollection('cos', { dimension: 2, metric: 'cosine' });
  });

  afterEach(async () => {
    await b.close();
  });

  it('gives errors the backend, collection and operation', async () => {
    const err = await rejection(b.count('nope'));
    expect(err).toBeInstanceOf(CollectionNotFoundError);
    expect(err.message).toBe('collection `nope` does not exist on memory://unit');
    expect(err.meta).toEqual({ backend: 'memory://unit', collection: 'nope', operation: 'count' });
  });

  it('keeps the reason of a TimeoutError abort, and maps DOMException timeouts', async () => {
    const mine = new TimeoutError('deadline of 20 ms passed');
    const err = await rejection(b.count('cos', undefined, { signal: AbortSignal.abort(mine) }));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toBe('deadline of 20 ms passed');
    expect(err.meta.operation).toBe('count');
    const dom = AbortSignal.abort(new DOMException('late', 'TimeoutError'));
    const mapped = await rejection(b.listCollections({ signal: dom }));
    expect(mapped).toBeInstanceOf(TimeoutError);
    expect(mapped.message).toBe('`listCollections` on memory://unit timed out');
    const plain = await rejection(b.listCollections({ signal: AbortSignal.abort('user left') }));
    expect(plain).toBeInstanceOf(AbortedError);
    expect(plain.cause).toBe('user left');
  });

  it('validates collection names and specs', async () => {
    const cases: [unknown, unknown, string][] = [
      ['', { dimension: 2, metric: 'l2' }, '`name` must be a non-empty string'],
      ['x'.repeat(256), { dimension: 2, metric: 'l2' }, 'at most 255 characters'],
      [
        'c',
        { dimension: 0, metric: 'l2' },
        '`spec.dimension` must be an integer in [1, 65536], received number 0',
      ],
      ['c', { dimension: 1.5, metric: 'l2' }, 'received number 1.5'],
      ['c', { dimension: 65_537, metric: 'l2' }, 'received number 65537'],
      [
        'c',
        { dimension: 2, metric: 'dot' },
        '`spec.metric` must be one of cosine, ip, l2, received string "dot"',
      ],
      ['c', null, '`spec` must be an object, received null'],
      [
        'c',
        { dimension: 2, metric: 'l2', dimensions: 2 },
        'unknown option `spec.dimensions`; expected one of dimension, metric, index',
      ],
    ];
    for (const [name, spec, message] of cases) {
      const err = await rejection(b.createCollection(name as string, spec as never));
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect(err.message).toContain(message);
    }
  });

  it('describes the index back, and lists names sorted', async () => {
    await b.createCollection('a', { dimension: 3, metric: 'ip', index: { type: 'flat' } });
    expect(await b.describeCollection('a')).toEqual({
      name: 'a',
      dimension: 3,
      metric: 'ip',
      index: { type: 'flat' },
      count: 0,
    });
    expect(await b.listCollections()).toEqual(['a', 'cos']);
  });

  it('validates every point before storing any', async () => {
    const cases: [unknown, new (...args: never[]) => Error, string][] = [
      ['x', InvalidArgumentError, '`points` must be an array, received string "x"'],
      [[null], InvalidArgumentError, '`points[0]` must be an object, received null'],
      [[{ id: 1.5, vector: [1, 0] }], InvalidArgumentError, '`points[0].id` must be'],
      [
        [
          { id: 'a', vector: [1, 0] },
          { id: 'b', vector: [0, 0] },
        ],
        InvalidVectorError,
        '`points[1].vector` is a zero vector',
      ],
      [
        [{ id: 'a', vector: [1] }],
        InvalidVectorError,
        '`points[0].vector` has dimension 1, the collection has 2',
      ],
      [
        [{ id: 'a', vector: [1, 0], payload: { d: new Date(0) } }],
        InvalidArgumentError,
        '`points[0].payload.d` must be JSON',
      ],
      [
        [1, 2, 3, 4].map((i) => ({ id: i, vector: [1, i] })),
        InvalidArgumentError,
        '`points` has 4 items, memory://unit takes at most 3 per request',
      ],
    ];
    for (const [points, kind, message] of cases) {
      const err = await rejection(b.upsert('cos', points as never));
      expect(err).toBeInstanceOf(kind);
      expect(err.message).toContain(message);
    }
    expect(await b.count('cos')).toBe(0);
  });

  it('lets the last of duplicate ids in one batch win', async () => {
    await b.upsert('cos', [
      { id: 'a', vector: [1, 0], payload: { v: 1 } },
      { id: 'a', vector: [0, 1], payload: { v: 2 } },
    ]);
    expect(await b.get('cos', ['a'], { includeVector: true })).toEqual([
      { id: 'a', vector: [0, 1], payload: { v: 2 } },
    ]);
  });

  it('copies points on the way in and on the way out', async () => {
    const payload: Payload = { tags: ['a'], meta: { n: 1 } };
    const vector = [1, 2];
    const typed = f32(3, 4);
    await b.upsert('cos', [
      { id: 'a', vector, payload },
      { id: 'b', vector: typed },
    ]);
    (payload.tags as string[]).push('mutated');
    (payload.meta as Payload).n = 99;
    vector[0] = 100;
    typed[0] = 100;
    const [a] = await b.get('cos', ['a'], { includeVector: true });
    expect(a).toEqual({ id: 'a', vector: [1, 2], payload: { tags: ['a'], meta: { n: 1 } } });
    (a!.payload.tags as string[]).push('again');
    a!.vector![0] = 7;
    const [hits] = await b.search(
      'cos',
      request([f32(1, 2)], 2, { includePayload: true, includeVector: true }),
    );
    expect(hits![0]).toEqual({
      id: 'a',
      score: expect.closeTo(1, 12) as number,
      vector: [1, 2],
      payload: { tags: ['a'], meta: { n: 1 } },
    });
    hits![0]!.payload!.meta = 'changed';
    expect((await b.get('cos', ['b'], { includeVector: true }))[0]!.vector).toEqual([3, 4]);
    expect((await b.get('cos', ['a']))[0]!.payload).toEqual({ tags: ['a'], meta: { n: 1 } });
  });

  it('stores __proto__ keys as data and pollutes nothing', async () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": 1}, "x": 1}') as Payload;
    await b.upsert('cos', [{ id: 'h', vector: [1, 1], payload: hostile }]);
    const [back] = await b.get('cos', ['h']);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.hasOwn(back!.payload, '__proto__')).toBe(true);
    expect(JSON.stringify(back!.payload)).toBe('{"__proto__":{"polluted":1},"x":1}');
    expect(await b.count('cos', { kind: 'exists', field: '__proto__', exists: true })).toBe(1);
  });

  it('answers get in the order asked, once per id', async () => {
    await b.upsert('cos', [
      { id: 1, vector: [1, 0] },
      { id: '1', vector: [0, 1] },
    ]);
    const got = await b.get('cos', ['1', 1, '1']);
    expect(got.map((p) => p.id)).toEqual(['1', 1]);
    expect(await b.get('cos', ['missing'])).toEqual([]);
    await expect(b.get('cos', [1, 2, 3, 4])).rejects.toThrow('at most 3 per request');
    await expect(b.delete('cos', [{}] as never)).rejects.toThrow('`ids[0]` must be');
  });

  it('validates search requests', async () => {
    const cases: [unknown, new (...args: never[]) => Error, string][] = [
      [null, InvalidArgumentError, '`request` must be an object, received null'],
      [
        request([f32(1, 0)], 0),
        InvalidArgumentError,
        '`request.topK` must be an integer from 1 to 4, received number 0',
      ],
      [request([f32(1, 0)], 5), InvalidArgumentError, 'received number 5'],
      [request([f32(1, 0)], 1.5), InvalidArgumentError, 'received number 1.5'],
      [
        request([f32(1, 0), f32(1, 0), f32(1, 0)], 1),
        InvalidArgumentError,
        '`request.vectors` has 3 items',
      ],
      [
        request([f32(1, 0, 0)], 1),
        InvalidVectorError,
        '`request.vectors[0]` has dimension 3, the collection has 2',
      ],
      [
        request([f32(1, 0), f32(0, 0)], 1),
        InvalidVectorError,
        '`request.vectors[1]` is a zero vector',
      ],
      [
        { ...request([], 1), vectors: 'x' },
        InvalidArgumentError,
        '`request.vectors` must be an array',
      ],
    ];
    for (const [req, kind, message] of cases) {
      const err = await rejection(b.search('cos', req as never));
      expect(err).toBeInstanceOf(kind);
      expect(err.message).toContain(message);
    }
  });

  it('accepts plain arrays as query vectors and an empty batch', async () => {
    await b.upsert('cos', [{ id: 'a', vector: [1, 0] }]);
    const [hits] = await b.search('cos', request([[1, 0] as unknown as Float32Array], 1));
    expect(hits).toEqual([{ id: 'a', score: 1 }]);
    expect(await b.search('cos', request([], 1))).toEqual([]);
  });

  it('rejects a malformed filter tree instead of crashing', async () => {
    await b.upsert('cos', [{ id: 'a', vector: [1, 0] }]);
    const bogus = { kind: 'regex' } as unknown as FilterNode;
    await expect(b.count('cos', bogus)).rejects.toBeInstanceOf(InvalidFilterError);
    const broken = { kind: 'and' } as unknown as FilterNode;
    const err = await rejection(b.search('cos', request([f32(1, 0)], 1, { filter: broken })));
    expect(err.code).toBe('VECMESH_ERR_BACKEND');
    expect(err.meta.operation).toBe('search');
  });

  it('scans in idKey order with opaque cursors, and refuses foreign cursors and limits', async () => {
    await b.upsert('cos', [
      { id: 'b', vector: [1, 0] },
      { id: 10, vector: [1, 0] },
      { id: 9, vector: [1, 0] },
    ]);
    await b.upsert('cos', [{ id: 'a', vector: [1, 0] }]);
    const first = await b.scanIds('cos', { limit: 3 });
    expect(first.ids).toEqual([10, 9, 'a']);
    expect(first.nextCursor).toMatch(/^m1\./);
    const second = await b.scanIds('cos', { cursor: first.nextCursor!, limit: 3 });
    expect(second).toEqual({ ids: ['b'] });
    for (const cursor of [
      '',
      'm1.',
      'm1.!!!',
      'xyz',
      'm1.' + Buffer.from('q:1').toString('base64url'),
    ]) {
      const err = await rejection(b.scanIds('cos', { cursor, limit: 2 }));
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect(err.message).toContain('`page.cursor` is not a cursor issued by a memory backend');
    }
    for (const limit of [0, 4, 1.5]) {
      await expect(b.scanIds('cos', { limit })).rejects.toThrow(
        '`page.limit` must be an integer from 1 to 3',
      );
    }
  });

  it('searches 10k x 128 in a few milliseconds', async () => {
    const big = memoryBackend();
    await big.connect();
    await big.createCollection('big', { dimension: 128, metric: 'cosine' });
    let seed = 7;
    const next = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647 - 0.5;
    };
    for (let start = 0; start < 10_000; start += 5_000) {
      await big.upsert(
        'big',
        Array.from({ length: 5_000 }, (_, i) => ({
          id: start + i,
          vector: Float32Array.from({ length: 128 }, next),
        })),
      );
    }
    const q = Float32Array.from({ length: 128 }, next);
    // Speed is measured by `npm run bench -- overhead`, not asserted here.
    const [hits] = await big.search('big', request([q], 10));
    expect(hits).toHaveLength(10);
    await big.close();
  });
});
