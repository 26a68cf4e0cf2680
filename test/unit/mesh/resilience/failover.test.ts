/** Cluster failover and fail-back, partial results, hedged reads and balancing through the mesh. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createMesh,
  InvalidOptionError,
  ShardUnavailableError,
  type FailoverEvent,
  type Mesh,
} from '../../../../src/index.js';
import { memoryBackend } from '../../../../src/backends/memory/index.js';
import { faultyMesh, nextEvent, somePoints } from '../../../helpers/faulty-mesh.js';

const open: Mesh[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(open.splice(0).map((m) => m.close()));
});

const query = { vectors: [[1, 2, 3, 4]], topK: 3 };

describe('cluster failover', () => {
  it('reads from the next cluster when one cannot serve a shard, and fails back when it recovers', async () => {
    const fx = await faultyMesh(
      { clusters: 2, shards: 2, replicas: 1 },
      {
        retry: { retries: 0 },
        breaker: { volumeThreshold: 2, resetTimeoutMs: 60_000 },
        health: { intervalMs: 20 },
      },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await docs.upsert(somePoints(50));
    const failovers: FailoverEvent[] = [];
    fx.mesh.events.on('failover', (e) => failovers.push(e));

    const sick = fx.backends[0]![1]![0]!;
    sick.partition();
    for (let i = 0; i < 5; i++) {
      const { hits, coverage } = await docs.search(query);
      expect(coverage.cluster).toBe('c1');
      expect(hits[0]).toHaveLength(3);
    }
    // The first reads fail over; once the breaker is open, c1 is preferred without trying c0.
    expect(failovers.length).toBeGreaterThan(0);
    expect(failovers.length).toBeLessThan(5);
    expect(failovers[0]).toMatchObject({ operation: 'search', from: 'c0', to: 'c1' });

    sick.heal();
    await nextEvent(fx.mesh, 'breaker', (e) => e.replica === 'c0/s1/r0' && e.state === 'closed');
    const { coverage } = await docs.search(query);
    expect(coverage.cluster).toBe('c0');
    expect((await docs.get(['p1'])).length).toBe(1);
    expect(await docs.count()).toBe(50);
  });

  it('prefers the nearest cluster by measured latency with readPreference nearest', async () => {
    const fx = await faultyMesh(
      { clusters: 2, shards: 1, replicas: 1 },
      { readPreference: 'nearest', health: { intervalMs: 60_000 } },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await docs.upsert(somePoints(5));
    fx.backends[0]![0]![0]!.setFaults({
      latency: { kind: 'fixed', ms: 30 },
      methods: ['health', 'search'],
    });
    // A probe round measures both clusters; the slow one (c0) loses despite its priority.
    await fx.mesh.checkHealth();
    for (let i = 0; i < 5; i++) expect((await docs.search(query)).coverage.cluster).toBe('c1');
    // And the other way round, once c1 is the slow one (the peak estimate of c0 decays on its own).
    fx.backends[0]![0]![0]!.setFaults({ latency: { kind: 'fixed', ms: 0 } });
    fx.backends[1]![0]![0]!.setFaults({
      latency: { kind: 'fixed', ms: 300 },
      methods: ['health', 'search'],
    });
    await fx.mesh.checkHealth();
    await fx.mesh.checkHealth();
    expect((await docs.search(query)).coverage.cluster).toBe('c0');
  });
});

describe('partial results', () => {
  it('fail by default; allow returns the shards that answered with a coverage report', async () => {
    const fx = await faultyMesh({ shards: 3, replicas: 1 }, { retry: { retries: 0 } });
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await docs.upsert(somePoints(60));
    fx.backends[0]![2]!.forEach((b) => {
      b.partition();
    });
    await expect(docs.search(query)).rejects.toBeInstanceOf(ShardUnavailableError);
    const { hits, coverage } = await docs.search(query, { partialResults: 'allow' });
    expect(coverage).toMatchObject({ complete: false, shardsMissing: ['s2'] });
    expect(hits[0]!.length).toBe(3);
  });
});

describe('hedged reads through the mesh', () => {
  it('answers from the fast replica when the first one stalls', async () => {
    const fx = await faultyMesh(
      { shards: 1, replicas: 2 },
      { hedging: { afterMs: 20 }, balancing: 'round-robin' },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await docs.upsert(somePoints(10));
    fx.backends[0]![0]![0]!.setFaults({
      latency: { kind: 'fixed', ms: 5_000 },
      methods: ['search'],
    });
    let hedges = 0;
    fx.mesh.events.on('hedge', () => hedges++);
    for (let i = 0; i < 4; i++) {
      const { hits } = await docs.search(query);
      expect(hits[0]).toHaveLength(3);
    }
    // Two of the four searches started on the stalled replica and were hedged: without the
    // hedge each of them would wait out the 5 s stall (past this test's own time limit).
    expect(hedges).toBe(2);
  });
});

describe('balancing through the mesh', () => {
  it('weighted round-robin sends reads in proportion to the weights', async () => {
    const fx = await faultyMesh(
      { shards: 1, replicas: 2, weights: [3, 1] },
      { balancing: 'weighted-round-robin' },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    for (let i = 0; i < 40; i++) await docs.search(query);
    const [a, b] = fx.backends[0]![0]!;
    expect([a!.stats.byMethod.search, b!.stats.byMethod.search]).toEqual([30, 10]);
  });

  it('rejects unknown policies and bad resilience options at createMesh', () => {
    const clusters = [{ name: 'c', shards: [{ replicas: [{ backend: memoryBackend() }] }] }];
    expect(() => createMesh({ clusters, balancing: 'random' as never })).toThrow(
      InvalidOptionError,
    );
    expect(() => createMesh({ clusters, balancing: 'random' as never })).toThrow(
      /`balancing`.*'round-robin'.*random/,
    );
    expect(() => createMesh({ clusters, retry: { budgetPercent: -5 } })).toThrow(
      /retry\.budgetPercent/,
    );
    expect(() => createMesh({ clusters, hedging: { percentile: 120 } })).toThrow(
      /hedging\.percentile/,
    );
    expect(() => createMesh({ clusters, replication: { mode: 'raft' as never } })).toThrow(
      /replication\.mode/,
    );
    expect(() => createMesh({ clusters, partialResults: 'some' as never })).toThrow(
      /partialResults/,
    );
  });
});

describe('events', () => {
  it('a listener that throws does not fail the operation', async () => {
    const fx = await faultyMesh(
      { shards: 1, replicas: 2 },
      { retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 } },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    fx.mesh.events.on('retry', () => {
      throw new Error('listener bug');
    });
    fx.backends[0]![0]![0]!.partition();
    for (let i = 0; i < 2; i++) await expect(docs.search(query)).resolves.toBeDefined();
  });
});
