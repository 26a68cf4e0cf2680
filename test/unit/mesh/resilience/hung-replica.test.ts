/**
 * A replica that hangs (its calls never answer) costs callers little: reads hedge or move on
 * after a per-attempt timeout that counts against the replica's breaker, and a quorum write
 * returns once the quorum answered; the hung replica gets the write as a hint when its attempt
 * times out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Mesh, MeshOptions } from '../../../../src/index.js';
import { faultyMesh, somePoints, type FaultyFixture } from '../../../helpers/faulty-mesh.js';

const open: Mesh[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

async function meshWithHungReplica(
  replicas: number,
  options: Omit<MeshOptions, 'clusters'>,
  method: 'search' | 'upsert',
): Promise<FaultyFixture> {
  const fx = await faultyMesh(
    { shards: 1, replicas },
    { health: { intervalMs: 3_600_000 }, timeoutMs: 60_000, ...options },
  );
  open.push(fx.mesh);
  const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
  await docs.upsert(somePoints(10));
  fx.backends[0]![0]![0]!.setFaults({ hangRate: 1, methods: [method] });
  return fx;
}

const query = { vectors: [[1, 2, 3, 4]], topK: 3 };

describe('a hung replica', () => {
  it('costs a read one attempt timeout: the read moves to the next replica, and the breaker counts it', async () => {
    const fx = await meshWithHungReplica(
      2,
      {
        hedging: false,
        attemptTimeout: { multiplier: 1, minMs: 20, maxMs: 20 },
        breaker: { consecutiveFailures: 3 },
      },
      'search',
    );
    const docs = fx.mesh.collection('docs');
    const timedOut: string[] = [];
    fx.mesh.events.on('retry', (e) => {
      // The retry goes to the next replica; the error names the one that timed out.
      if (e.error.code === 'VECMESH_ERR_TIMEOUT') timedOut.push(String(e.error.meta.replica));
    });
    const opened = new Promise((resolve) => {
      fx.mesh.events.on('breaker', (e) => {
        if (e.state === 'open') resolve(e.replica);
      });
    });
    for (let i = 0; i < 10; i++) {
      const result = await docs.search(query);
      expect(result.hits[0]).toHaveLength(3);
    }
    expect(timedOut.length).toBeGreaterThan(0);
    expect(new Set(timedOut)).toEqual(new Set(['c0/s0/r0']));
    expect(await opened).toBe('c0/s0/r0');
  });

  it('is hedged by default: reads answer from the next replica without waiting for the hang', async () => {
    const fx = await meshWithHungReplica(2, { attemptTimeout: false }, 'search');
    const docs = fx.mesh.collection('docs');
    let hedges = 0;
    fx.mesh.events.on('hedge', () => hedges++);
    // With no attempt timeout and a 60 s deadline, only the hedge can answer these in time.
    for (let i = 0; i < 6; i++) {
      const result = await docs.search(query);
      expect(result.hits[0]).toHaveLength(3);
    }
    expect(hedges).toBeGreaterThan(0);
  });

  it('does not hold a quorum write: the write returns, and the replica gets a hint once its attempt times out', async () => {
    const fx = await meshWithHungReplica(
      3,
      {
        replication: { writeConsistency: 'quorum' },
        retry: { retries: 0 },
        attemptTimeout: { multiplier: 1, minMs: 300, maxMs: 300 },
      },
      'upsert',
    );
    const docs = fx.mesh.collection('docs');
    const hung = fx.backends[0]![0]![0]!;
    const result = await docs.upsert([{ id: 'late', vector: [4, 3, 2, 1] }]);
    expect(result.acknowledged).toBe(1);
    // Returned while the hung replica's attempt still runs: no hint for it yet.
    expect(hung.stats.hangs).toBeGreaterThan(0);
    expect(fx.mesh.pendingHints()).toBe(0);
    hung.setFaults({ hangRate: undefined });
    await fx.mesh.flushHints(); // waits for the late hand-off, then replays it
    expect(fx.mesh.pendingHints()).toBe(0);
    expect(await hung.inner.get('docs', ['late'])).toHaveLength(1);
  });
});
