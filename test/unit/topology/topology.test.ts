import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { resolveTopology } from '../../../src/topology/topology.js';
import { fakeBackend, topologyError, withReplicas, withShards } from './fixtures.js';

describe('resolveTopology', () => {
  it('fills in defaults and builds ids', () => {
    const [a, b, c] = [fakeBackend(), fakeBackend(), fakeBackend()];
    const topology = resolveTopology({
      clusters: [
        {
          name: 'west',
          shards: [
            { replicas: [{ backend: a }, { backend: b, weight: 2 }] },
            { replicas: [{ backend: c }] },
          ],
        },
      ],
    });
    expect(topology.epoch).toBe(1);
    expect(topology.sharding).toEqual({
      strategy: 'consistent-hash',
      virtualNodes: 160,
      key: 'id',
    });
    const [cluster] = topology.clusters;
    expect(cluster!.name).toBe('west');
    expect(cluster!.priority).toBe(0);
    expect(cluster!.shards.map((s) => s.name)).toEqual(['s0', 's1']);
    expect(cluster!.shards.map((s) => s.id)).toEqual(['west/s0', 'west/s1']);
    expect(cluster!.shardMap.shardNames).toEqual(['s0', 's1']);
    expect(cluster!.shardMap.strategy).toBe('consistent-hash');
    const [r0, r1] = cluster!.shards[0]!.replicas;
    expect(r0).toEqual({
      id: 'west/s0/r0',
      shardId: 'west/s0',
      name: 'r0',
      cluster: 'west',
      shard: 's0',
      shardIndex: 0,
      index: 0,
      backend: a,
      weight: 1,
      role: 'primary',
    });
    expect(r1!.id).toBe('west/s0/r1');
    expect(r1!.weight).toBe(2);
    expect(r1!.role).toBe('secondary');
    expect(cluster!.shards[0]!.primary).toBe(r0);
    expect(cluster!.shards[1]!.replicas[0]!.shardIndex).toBe(1);
    expect(topology.replicas.map((r) => r.id)).toEqual(['west/s0/r0', 'west/s0/r1', 'west/s1/r0']);
  });

  it('keeps names, roles and the epoch it is given', () => {
    const topology = resolveTopology(
      {
        clusters: [
          {
            name: 'eu.1',
            shards: [
              {
                name: 'alpha',
                replicas: [
                  { backend: fakeBackend(), name: 'x', role: 'secondary' },
                  { backend: fakeBackend(), name: 'y' },
                  { backend: fakeBackend(), name: 'z', role: 'primary' },
                ],
              },
            ],
          },
        ],
        sharding: { strategy: 'jump' },
      },
      7,
    );
    expect(topology.epoch).toBe(7);
    const shard = topology.clusters[0]!.shards[0]!;
    expect(shard.replicas.map((r) => r.role)).toEqual(['secondary', 'secondary', 'primary']);
    expect(shard.primary.id).toBe('eu.1/alpha/z');
  });

  it('makes the first replica without a role primary when none says primary', () => {
    const topology = resolveTopology(
      withReplicas([
        { backend: fakeBackend(), role: 'secondary' },
        { backend: fakeBackend() },
        { backend: fakeBackend() },
      ]),
    );
    expect(topology.clusters[0]!.shards[0]!.replicas.map((r) => r.role)).toEqual([
      'secondary',
      'primary',
      'secondary',
    ]);
  });

  it('sorts clusters by priority, stably', () => {
    const cluster = (name: string, priority?: number) => ({
      name,
      ...(priority === undefined ? {} : { priority }),
      shards: [{ replicas: [{ backend: fakeBackend() }] }],
    });
    const topology = resolveTopology({
      clusters: [cluster('a', 5), cluster('b'), cluster('c', 1), cluster('d', 1), cluster('e', -2)],
    });
    // b defaults to its index, 1, and keeps its place before c and d.
    expect(topology.clusters.map((c) => c.name)).toEqual(['e', 'b', 'c', 'd', 'a']);
    expect(topology.replicas.map((r) => r.cluster)).toEqual(['e', 'b', 'c', 'd', 'a']);
  });

  it('freezes everything but the backends', () => {
    const backend = fakeBackend();
    const topology = resolveTopology(withReplicas([{ backend }]));
    const cluster = topology.clusters[0]!;
    const shard = cluster.shards[0]!;
    for (const value of [
      topology,
      topology.clusters,
      topology.replicas,
      topology.sharding,
      cluster,
      cluster.shards,
      cluster.shardMap,
      shard,
      shard.replicas,
      shard.primary,
    ]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    expect(Object.isFrozen(backend)).toBe(false);
  });

  it('shares the sharding options with every cluster, per cluster shard names', () => {
    const topology = resolveTopology({
      clusters: [
        {
          name: 'a',
          shards: [
            { name: 'x', replicas: [{ backend: fakeBackend() }] },
            { name: 'y', replicas: [{ backend: fakeBackend() }] },
          ],
        },
        {
          name: 'b',
          shards: [
            { replicas: [{ backend: fakeBackend() }] },
            { replicas: [{ backend: fakeBackend() }] },
          ],
        },
      ],
      sharding: { strategy: 'range', boundaries: [100], key: { field: 'n' } },
    });
    expect(topology.clusters[0]!.shardMap.shardNames).toEqual(['x', 'y']);
    expect(topology.clusters[1]!.shardMap.shardNames).toEqual(['s0', 's1']);
    expect(topology.clusters[1]!.shardMap.shardFor(150)).toBe(1);
  });

  it('allows one backend in two shards, but not twice in one shard', () => {
    const backend = fakeBackend();
    expect(() =>
      resolveTopology(withShards([{ replicas: [{ backend }] }, { replicas: [{ backend }] }])),
    ).not.toThrow();
    expect(topologyError(withReplicas([{ backend }, { backend }]))).toBe(
      '`clusters[0].shards[0].replicas[1].backend` is the same backend object as `clusters[0].shards[0].replicas[0].backend`; two replicas of one shard would be one copy',
    );
  });

  it('rejects input that is not an object', () => {
    expect(() => resolveTopology(null as unknown as { clusters: unknown })).toThrow(
      '`topology` must be an object, received null',
    );
  });

  it('rejects a bad epoch', () => {
    for (const epoch of [-1, 1.5, Number.NaN]) {
      expect(() => resolveTopology(withReplicas([{ backend: fakeBackend() }]), epoch)).toThrow(
        InvalidArgumentError,
      );
    }
  });
});
