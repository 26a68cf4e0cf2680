/**
 * The per-call options of every collection operation (and of connect, createCollection and
 * dropCollection): `undefined` means the defaults; anything but an object, an unknown key or a
 * signal that is not an AbortSignal is refused with InvalidOptionError naming it, before any
 * backend is asked (it used to be a TypeError, or silently ignored).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  InvalidOptionError,
  type Collection,
  type Mesh,
} from '../../../src/index.js';
import { meshOf } from '../../helpers/mesh-fixture.js';

const open: Mesh[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

async function filled(options = {}) {
  const fx = await meshOf({ shards: 2, replicas: 1 }, options);
  open.push(fx.mesh);
  const docs = await fx.mesh.createCollection('docs', { dimension: 2, metric: 'l2' });
  await docs.upsert([
    { id: 1, vector: [1, 0] },
    { id: 2, vector: [0, 1] },
  ]);
  const calls = () => fx.backends.flat(2).reduce((n, b) => n + b.calls.length, 0);
  return { ...fx, docs, calls };
}

type Call = (docs: Collection, mesh: Mesh, options: unknown) => Promise<unknown>;

/** Every call that takes per-call options, given `options` as its last argument. */
const CALLS: [string, Call][] = [
  ['upsert', (docs, _mesh, o) => docs.upsert([{ id: 3, vector: [1, 1] }], o as never)],
  ['delete', (docs, _mesh, o) => docs.delete([1], o as never)],
  ['get', (docs, _mesh, o) => docs.get([1], o as never)],
  ['count', (docs, _mesh, o) => docs.count(o as never)],
  ['search', (docs, _mesh, o) => docs.search({ vectors: [[1, 0]], topK: 1 }, o as never)],
  ['describe', (docs, _mesh, o) => docs.describe(o as never)],
  [
    'createCollection',
    (_docs, mesh, o) => mesh.createCollection('other', { dimension: 2, metric: 'l2' }, o as never),
  ],
  ['dropCollection', (_docs, mesh, o) => mesh.dropCollection('docs', o as never)],
  ['connect', (_docs, mesh, o) => mesh.connect(o as never)],
];

/** Bad options every call refuses, and the message each must give. */
const BAD_OPTIONS: [string, unknown, RegExp][] = [
  ['null', null, /^`options` must be an object, received null$/],
  ['a string', 'fast', /^`options` must be an object, received string "fast"$/],
  ['a number', 42, /^`options` must be an object, received number 42$/],
  ['an array', [], /^`options` must be an object, received array of length 0$/],
  ['a plain-object signal', { signal: {} }, /^`signal` must be an AbortSignal, received object/],
  [
    'an AbortController as signal',
    { signal: new AbortController() },
    /^`signal` must be an AbortSignal, received object AbortController$/,
  ],
];

describe('per-call options', () => {
  it.each(CALLS)('%s: undefined options mean the defaults', async (_name, call) => {
    const { docs, mesh } = await filled();
    await expect(call(docs, mesh, undefined)).resolves.not.toThrow();
    await expect(call(docs, mesh, {})).resolves.not.toThrow();
    await expect(
      call(docs, mesh, { signal: new AbortController().signal, timeoutMs: 5000 }),
    ).resolves.not.toThrow();
  });

  it.each(CALLS)(
    '%s: refuses null, a string, a number, an array and a signal that is not an AbortSignal',
    async (_name, call) => {
      const { docs, mesh, calls } = await filled();
      const before = calls();
      for (const [label, options, message] of BAD_OPTIONS) {
        const error = await call(docs, mesh, options).then(
          () => new Error(`${label}: resolved`),
          (e: unknown) => e,
        );
        expect(error, label).not.toBeInstanceOf(TypeError);
        expect(error, label).toBeInstanceOf(InvalidOptionError);
        expect((error as Error).message, label).toMatch(message);
      }
      expect(calls()).toBe(before);
    },
  );

  it.each<[string, Call, object, RegExp]>([
    [
      'upsert',
      (docs, _mesh, o) => docs.upsert([{ id: 3, vector: [1, 1] }], o as never),
      { consistancy: 'all' },
      /^unknown option `consistancy`; expected one of signal, timeoutMs, consistency$/,
    ],
    [
      'delete',
      (docs, _mesh, o) => docs.delete([1], o as never),
      { includeVector: true },
      /^unknown option `includeVector`; expected one of signal, timeoutMs, consistency$/,
    ],
    [
      'get',
      (docs, _mesh, o) => docs.get([1], o as never),
      { includeVectors: true },
      /^unknown option `includeVectors`; expected one of signal, timeoutMs, includeVector$/,
    ],
    [
      'count',
      (docs, _mesh, o) => docs.count(o as never),
      { filters: { n: 1 } },
      /^unknown option `filters`; expected one of signal, timeoutMs, filter$/,
    ],
    [
      'search',
      (docs, _mesh, o) => docs.search({ vectors: [[1, 0]], topK: 1 }, o as never),
      { tenat: 'a' },
      /^unknown option `tenat`; expected one of signal, timeoutMs, tenant, partialResults$/,
    ],
    [
      'search (a request field given as an option)',
      (docs, _mesh, o) => docs.search({ vectors: [[1, 0]], topK: 1 }, o as never),
      { includePayload: false },
      /^unknown option `includePayload`; expected one of signal, timeoutMs, tenant, partialResults$/,
    ],
    [
      'describe',
      (docs, _mesh, o) => docs.describe(o as never),
      { tenant: 'a' },
      /^unknown option `tenant`; expected one of signal, timeoutMs$/,
    ],
    [
      'createCollection',
      (_docs, mesh, o) =>
        mesh.createCollection('other', { dimension: 2, metric: 'l2' }, o as never),
      { timeout: 5 },
      /^unknown option `timeout`; expected one of signal, timeoutMs$/,
    ],
    [
      'dropCollection',
      (_docs, mesh, o) => mesh.dropCollection('docs', o as never),
      { force: true },
      /^unknown option `force`; expected one of signal, timeoutMs$/,
    ],
  ])('%s: refuses an unknown option, naming it', async (_name, call, options, message) => {
    const { docs, mesh, calls } = await filled();
    const before = calls();
    const error = await call(docs, mesh, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(message);
    expect(calls()).toBe(before);
  });

  it('refuses a tenant that is not a string on a mesh with a cache', async () => {
    const { docs, calls } = await filled({ cache: {} });
    const before = calls();
    const error = await docs
      .search({ vectors: [[1, 0]], topK: 1 }, { tenant: 5 as never })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/`tenant` must be a string, received number 5/);
    expect(calls()).toBe(before);
  });
});
