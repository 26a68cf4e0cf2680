/**
 * The conformance suite through `referenceBackend` against a real `vecmesh node` process on a
 * loopback port, with binary vector bodies and with JSON ones, plus what only a real process
 * shows: the API key on the wire, durability across a clean restart, and an unreachable node.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceBackend } from '../../src/backends/reference/index.js';
import {
  AbortedError,
  BackendError,
  CollectionNotFoundError,
  UnavailableError,
} from '../../src/core/errors.js';
import { spawnNode, type NodeProcess } from '../helpers/node-process.js';
import { describeConformance } from './suite.js';

const API_KEY = 'conformance-key';
let node: NodeProcess | undefined;

// The key comes through the environment, as an operator would pass it.
beforeAll(async () => {
  node = await spawnNode(['--no-fsync'], { VECMESH_API_KEY: API_KEY });
}, 20_000);

afterAll(async () => {
  const code = await node?.stop();
  expect(code).toBe(0);
  expect(node?.stdout.map((l) => JSON.parse(l) as unknown)).toContainEqual({
    event: 'stopped',
    signal: 'SIGTERM',
  });
});

const url = (): string => {
  if (node === undefined) throw new Error('the node did not start');
  return node.url;
};

// Both wire modes against the same node: binary search/upsert bodies (the default) and JSON.
describeConformance(
  'reference node',
  () => Promise.resolve({ backend: referenceBackend({ url: url(), apiKey: API_KEY }) }),
  { exactScores: true },
);

describeConformance(
  'reference node (JSON vectors)',
  () =>
    Promise.resolve({
      backend: referenceBackend({ url: url(), apiKey: API_KEY, binaryVectors: false }),
    }),
  { exactScores: true },
);

describe('reference node process', () => {
  it('printed its pid and a loopback URL', () => {
    expect(node?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(node?.child.pid).toBeGreaterThan(0);
  });

  it('refuses a wrong API key with a non-retryable BackendError', async () => {
    const backend = referenceBackend({ url: url(), apiKey: 'wrong' });
    await expect(backend.connect()).resolves.toBeUndefined(); // /readyz needs no key
    const err = await backend.listCollections().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).retryable).toBe(false);
    expect((err as BackendError).message).toMatch(/API key/);
    expect((err as BackendError).meta).toMatchObject({
      backend: url(),
      operation: 'listCollections',
    });
    await backend.close();
  });

  it('a call aborted in flight rejects with AbortedError, and the backend keeps working', async () => {
    const backend = referenceBackend({ url: url(), apiKey: API_KEY });
    await backend.connect();
    const controller = new AbortController();
    const pending = backend.listCollections({ signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    await expect(backend.listCollections()).resolves.toBeInstanceOf(Array);
    await backend.close();
  });

  it('keeps acknowledged writes across a clean restart with a data directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vecmesh-node-'));
    let own: NodeProcess | undefined;
    try {
      own = await spawnNode(['--data-dir', dir]);
      let backend = referenceBackend({ url: own.url });
      await backend.connect();
      await backend.createCollection('docs', { dimension: 2, metric: 'ip' });
      await backend.upsert('docs', [
        { id: 'a', vector: [1, 0], payload: { n: 1 } },
        { id: 2, vector: Float32Array.of(0.5, 0.25) },
      ]);
      await backend.delete('docs', ['a']);
      await backend.close();
      expect(await own.stop()).toBe(0);

      own = await spawnNode(['--data-dir', dir]);
      backend = referenceBackend({ url: own.url });
      await backend.connect();
      expect(await backend.get('docs', ['a', 2], { includeVector: true })).toEqual([
        { id: 2, vector: [0.5, 0.25], payload: {} },
      ]);
      await expect(backend.describeCollection('other')).rejects.toBeInstanceOf(
        CollectionNotFoundError,
      );
      await backend.close();
    } finally {
      await own?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('an unreachable node: health is not ok, calls reject with a retryable UnavailableError', async () => {
    const own = await spawnNode();
    const gone = own.url;
    await own.stop();
    const backend = referenceBackend({ url: gone, timeoutMs: 2000 });
    await expect(backend.connect()).rejects.toBeInstanceOf(UnavailableError);
    const health = await backend.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(/ECONNREFUSED|refused|connect/i);
    const err = await backend.count('docs').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).retryable).toBe(true);
    expect((err as UnavailableError).meta).toMatchObject({ backend: gone, operation: 'count' });
    await backend.close();
  }, 20_000);
});
