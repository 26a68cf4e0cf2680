/**
 * A replica that is catching up (hints pending) takes new writes directly and counts towards
 * the consistency level; replay never puts an older value over such a write; replay sends
 * runs of hints as one request; a write below consistency names every replica that failed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PartialWriteError, type Mesh, type Point } from '../../../../src/index.js';
import { faultyMesh, type FaultyFixture } from '../../../helpers/faulty-mesh.js';

const open: Mesh[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

/**
 * A 1 x 3 mesh with no retries, no health beat (replays start only when asked) and breakers
 * that stay closed through a partition (so that the replica is tried again when it is back).
 */
async function threeReplicas(): Promise<FaultyFixture> {
  const fx = await faultyMesh(
    { shards: 1, replicas: 3 },
    {
      retry: { retries: 0 },
      breaker: { consecutiveFailures: 1000, volumeThreshold: 1000 },
      health: { intervalMs: 3_600_000 },
      replication: { writeConsistency: 'quorum' },
    },
  );
  open.push(fx.mesh);
  await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
  return fx;
}

const point = (id: string, version: number): Point => ({
  id,
  vector: [1, 1, 1, version],
  payload: { version },
});

/** Records the payload versions of `id` each upsert to the replica's own backend carried. */
function recordVersions(fx: FaultyFixture, replica: number, id: string): number[] {
  const inner = fx.backends[0]![0]![replica]!.inner;
  const upsert = inner.upsert.bind(inner);
  const seen: number[] = [];
  inner.upsert = (collection, points, options) => {
    for (const p of points) if (p.id === id) seen.push(p.payload?.['version'] as number);
    return upsert(collection, points, options);
  };
  return seen;
}

describe('a replica catching up', () => {
  it('takes new writes directly and counts towards quorum while another replica is down', async () => {
    const fx = await threeReplicas();
    const docs = fx.mesh.collection('docs');
    const [r0, r1] = [fx.backends[0]![0]![0]!, fx.backends[0]![0]![1]!];
    r0.partition();
    await docs.upsert([point('x', 1)]);
    r0.heal(); // r0 is back with one hint pending, not replayed yet
    expect(fx.mesh.pendingHints()).toBe(1);
    r1.partition();
    // r0 (catching up) and r2 make the quorum.
    const result = await docs.upsert([point('y', 1)]);
    expect(result.acknowledged).toBe(1);
    expect((await r0.inner.get('docs', ['y']))[0]?.payload).toEqual({ version: 1 });
  });

  it('never gets an older hint replayed over a newer direct write', async () => {
    const fx = await threeReplicas();
    const docs = fx.mesh.collection('docs');
    const r0 = fx.backends[0]![0]![0]!;
    r0.partition();
    await docs.upsert([point('x', 1), point('z', 1)]);
    r0.heal();
    const versions = recordVersions(fx, 0, 'x');
    await docs.upsert([point('x', 2)]);
    await fx.mesh.flushHints();
    expect(fx.mesh.pendingHints()).toBe(0);
    // Direct, then its copy behind the backlog; version 1 was skipped, z still replayed.
    expect(versions).toEqual([2, 2]);
    const [x, z] = await r0.inner.get('docs', ['x', 'z']);
    expect(x?.payload).toEqual({ version: 2 });
    expect(z?.payload).toEqual({ version: 1 });
  });

  it('replays a run of hints as one request', async () => {
    const fx = await threeReplicas();
    const docs = fx.mesh.collection('docs');
    const r0 = fx.backends[0]![0]![0]!;
    r0.partition();
    for (let i = 0; i < 20; i++) await docs.upsert([point(`p${i}`, 1)]);
    r0.heal();
    const inner = r0.inner;
    const upsert = inner.upsert.bind(inner);
    let requests = 0;
    inner.upsert = (collection, points, options) => {
      requests++;
      return upsert(collection, points, options);
    };
    await fx.mesh.flushHints();
    expect(fx.mesh.pendingHints()).toBe(0);
    expect(requests).toBe(1);
    const got = await inner.get(
      'docs',
      Array.from({ length: 20 }, (_, i) => `p${i}`),
    );
    expect(got).toHaveLength(20);
  });

  it('names every replica that failed when a write misses its consistency level', async () => {
    const fx = await threeReplicas();
    const docs = fx.mesh.collection('docs');
    fx.backends[0]![0]![1]!.partition();
    fx.backends[0]![0]![2]!.partition();
    const error = (await docs
      .upsert([point('x', 1)])
      .catch((e: unknown) => e)) as PartialWriteError;
    expect(error).toBeInstanceOf(PartialWriteError);
    const reason = error.failures[0]!.error.message;
    expect(reason).toContain('c0/s0/r1');
    expect(reason).toContain('c0/s0/r2');
    expect(reason).toContain('1 of the 2 acknowledgements needed');
  });
});

describe('reads and a replica catching up', () => {
  it('read from caught-up replicas first, so that a read does not miss what the catching-up one lacks', async () => {
    const fx = await faultyMesh(
      { shards: 1, replicas: 2 },
      {
        retry: { retries: 0 },
        breaker: { consecutiveFailures: 1000, volumeThreshold: 1000 },
        health: { intervalMs: 3_600_000 },
        replication: { writeConsistency: 'one' },
        hedging: false,
      },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    const behind = fx.backends[0]![0]![0]!;
    behind.partition();
    await docs.upsert([point('x', 1)]);
    await fx.mesh.flushHints(); // its hint is stored; its replay fails while partitioned
    behind.heal();
    expect(fx.mesh.pendingHints()).toBe(1);
    behind.resetStats();
    for (let i = 0; i < 8; i++) {
      const result = await docs.search({ vectors: [[1, 1, 1, 1]], topK: 1 });
      expect(result.hits[0]?.[0]?.id).toBe('x');
    }
    expect(behind.stats.byMethod['search'] ?? 0).toBe(0);
  });
});
