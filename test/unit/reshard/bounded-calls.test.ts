/**
 * Topology changes never wait without bound: a replica that hangs during a fill fails the
 * change with a retryable `TimeoutError` once the attempt timeout passes, and the old topology
 * stays in force.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryBackend } from '../../../src/backends/memory/index.js';
import { TimeoutError, type Mesh } from '../../../src/index.js';
import { FaultyBackend } from '../../../src/testing/index.js';
import { faultyMesh, somePoints } from '../../helpers/faulty-mesh.js';

const open: Mesh[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

describe('a topology change and a replica that hangs', () => {
  it('fails the fill with a TimeoutError instead of waiting, and keeps the old topology', async () => {
    const fx = await faultyMesh(
      { shards: 1, replicas: 1 },
      {
        attemptTimeout: { multiplier: 1, minMs: 50, maxMs: 50 },
        health: { intervalMs: 3_600_000 },
      },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await docs.upsert(somePoints(20));
    const source = fx.backends[0]![0]![0]!;
    source.setFaults({ hangRate: 1, methods: ['scanIds'] });
    const added = new FaultyBackend(memoryBackend({ name: 'bounded-added' }));
    const epoch = fx.mesh.topology.epoch;
    const outcome = await fx.mesh
      .updateTopology({
        clusters: [
          {
            name: 'c0',
            shards: [{ replicas: [{ backend: source }, { backend: added, name: 'r1' }] }],
          },
        ],
      })
      .then(
        () => 'applied',
        (error: unknown) => error,
      );
    expect(outcome).toBeInstanceOf(TimeoutError);
    expect((outcome as TimeoutError).meta.replica).toBe('c0/s0/r0');
    expect(fx.mesh.topology.epoch).toBe(epoch);
    expect(fx.mesh.topology.replicas).toHaveLength(1);
  });
});
