/**
 * The copy gate (a copy batch and live writes on the same ids wait for each other), and where
 * copies read from: a fill and a migration copy only from a replica holding every acknowledged
 * write, never from one with hints pending.
 */
import { describe, expect, it } from 'vitest';
import { AbortedError, UnavailableError, createMesh, type PointId } from '../../../src/index.js';
import { CopyGate } from '../../../src/reshard/copy-gate.js';
import {
  DIMENSION,
  HoldBackend,
  allIds,
  cluster,
  settle,
  vector,
} from './topology-change-fixture.js';

describe('CopyGate', () => {
  it('makes a copy batch wait for live writes in flight, and live writes wait for the batch', async () => {
    const gate = new CopyGate();
    const order: string[] = [];
    const leave = await gate.enterShared(['a', 'b']);
    const copy = gate.exclusive(['b', 'c'], () => {
      order.push('copy');
      return Promise.resolve();
    });
    await settle();
    expect(order).toEqual([]); // the live write on 'b' is still inside
    const later = gate.enterShared(['c']).then((l) => {
      order.push('live');
      l();
    });
    await settle();
    expect(order).toEqual([]); // marked by the waiting copy: the new live write waits too
    leave();
    await Promise.all([copy, later]);
    expect(order).toEqual(['copy', 'live']);
    expect(gate.size).toBe(0);
  });

  it('lets live writes on other ids through while a batch holds its ids', async () => {
    const gate = new CopyGate();
    let release!: () => void;
    const copy = gate.exclusive(['a'], () => new Promise<void>((r) => (release = r)));
    await settle();
    const leave = await gate.enterShared(['z']);
    leave();
    release();
    await copy;
    expect(gate.size).toBe(0);
  });
});

describe('copy sources', () => {
  it('fills from a replica holding every acknowledged write, never from one with hints pending', async () => {
    const [a, d, b, c] = [
      new HoldBackend('a'),
      new HoldBackend('d'),
      new HoldBackend('b'),
      new HoldBackend('c'),
    ];
    const mesh = createMesh({
      clusters: [cluster([[a, d], [b]])],
      replication: { writeConsistency: 'one' },
      retry: { retries: 0 },
    });
    try {
      await mesh.connect();
      const docs = await mesh.createCollection('docs', { dimension: DIMENSION, metric: 'l2' });
      await docs.upsert(Array.from({ length: 50 }, (_, i) => ({ id: i, vector: vector(i) })));
      const id = (await allIds(a))[0] as PointId;
      // `a` misses the newer value: acknowledged by `d`, kept for `a` as a hint that cannot be
      // replayed while `a` refuses writes. `a` stays available (one failure opens no breaker).
      a.fault = (method) =>
        method === 'upsert' ? new UnavailableError('a refuses writes') : undefined;
      await docs.upsert([{ id, vector: vector(0, 9) }]);
      expect(mesh.pendingHints()).toBe(1);
      const report = await mesh.updateTopology({ clusters: [cluster([[a, d, c], [b]])] });
      expect(report.added).toEqual(['c/s0/c']);
      const [onC] = await c.get('docs', [id], { includeVector: true });
      expect(onC?.vector?.[2]).toBeCloseTo(10); // the acknowledged value, not `a`'s stale one
      expect(a.callsOf('get')).toEqual([]); // nothing was read from the replica behind
    } finally {
      await mesh.close();
    }
  });

  it('copies moving points from a replica holding every acknowledged write, never from one with hints pending', async () => {
    const [a, d, b, e] = ['a', 'd', 'b', 'e'].map((n) => new HoldBackend(n)) as [
      HoldBackend,
      HoldBackend,
      HoldBackend,
      HoldBackend,
    ];
    const mesh = createMesh({
      clusters: [cluster([[a, d], [b]])],
      sharding: { strategy: 'consistent-hash' },
      replication: { writeConsistency: 'one' },
      retry: { retries: 0 },
    });
    const ids = Array.from({ length: 300 }, (_, i) => i);
    try {
      await mesh.connect();
      const docs = await mesh.createCollection('docs', { dimension: DIMENSION, metric: 'l2' });
      await docs.upsert(ids.map((i) => ({ id: i, vector: vector(i), payload: { v: 0 } })));
      // Pause after the first page: shard s0 is being scanned on `a`.
      const controller = new AbortController();
      const next = { clusters: [cluster([[a, d], [b], [e]])] };
      await expect(
        mesh.reshard(next, {
          batchSize: 20,
          signal: controller.signal,
          onProgress: () => {
            controller.abort();
          },
        }),
      ).rejects.toBeInstanceOf(AbortedError);
      // New values everywhere; `a` misses them (hints it cannot take while it refuses writes).
      a.fault = (method) =>
        method === 'upsert' ? new UnavailableError('a refuses writes') : undefined;
      await docs.upsert(ids.map((i) => ({ id: i, vector: vector(i), payload: { v: 1 } })));
      expect(mesh.pendingHints()).toBeGreaterThan(0);
      const report = await mesh.reshard(next, { batchSize: 20 });
      expect(report.moved).toBeGreaterThan(0);
      // Every copy read from a caught-up replica: the replicas that took the writes hold each
      // point at its newest value. (`a` still answers reads while it refuses writes, so a read
      // through the mesh at consistency `one` may meet it; what it holds is checked below.)
      const values = [];
      for (const backend of [d, b, e])
        values.push(...(await backend.get('docs', await allIds(backend))));
      expect(new Set(values.map((p) => p.id)).size).toBe(ids.length);
      expect(values.filter((p) => p.payload.v !== 1).map((p) => p.id)).toEqual([]);
      // `a` comes back: its hints (the new values, then the cleanup's deletes) replay in order,
      // and it ends holding exactly what shard s0 owns, each at its newest value.
      a.fault = () => undefined;
      await mesh.checkHealth();
      await mesh.flushHints();
      expect(mesh.pendingHints()).toBe(0);
      const map = mesh.topology.clusters[0]!.shardMap;
      const onA = await allIds(a);
      expect(onA.filter((id) => map.shardNames[map.shardFor(id)] !== 's0')).toEqual([]);
      expect(onA.map(String).sort()).toEqual((await allIds(d)).map(String).sort());
      const fromA = await a.get('docs', onA);
      expect(fromA.every((p) => p.payload.v === 1)).toBe(true);
    } finally {
      await mesh.close();
    }
  });
});
