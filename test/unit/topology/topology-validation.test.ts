import { describe, expect, it } from 'vitest';
import { fakeBackend, topologyError, withReplicas, withShards } from './fixtures.js';

describe('resolveTopology validation', () => {
  const one = () => [{ backend: fakeBackend() }];

  it.each<[string, { clusters: unknown; sharding?: unknown }, string]>([
    [
      'no clusters',
      { clusters: [] },
      '`clusters` must be a non-empty array, received array of length 0',
    ],
    [
      'clusters not an array',
      { clusters: { name: 'c' } },
      '`clusters` must be a non-empty array, received object Object',
    ],
    [
      'a cluster that is not an object',
      { clusters: ['c'] },
      '`clusters[0]` must be an object, received string "c"',
    ],
    [
      'a cluster without a name',
      { clusters: [{ shards: [{ replicas: one() }] }] },
      '`clusters[0].name` must be a string of 1 to 64 characters from [A-Za-z0-9_.-], received undefined',
    ],
    [
      'an empty cluster name',
      { clusters: [{ name: '', shards: [{ replicas: one() }] }] },
      '`clusters[0].name` must be a string of 1 to 64 characters from [A-Za-z0-9_.-], received string ""',
    ],
    [
      'a cluster name with a slash',
      { clusters: [{ name: 'us/west', shards: [{ replicas: one() }] }] },
      'received string "us/west"',
    ],
    [
      'a 65-character name',
      { clusters: [{ name: 'x'.repeat(65), shards: [{ replicas: one() }] }] },
      '`clusters[0].name` must be a string of 1 to 64 characters',
    ],
    [
      'duplicate cluster names',
      {
        clusters: [
          { name: 'c', shards: [{ replicas: one() }] },
          { name: 'c', shards: [{ replicas: one() }] },
        ],
      },
      '`clusters[1].name` string "c" repeats `clusters[0]`; cluster names must be unique',
    ],
    [
      'a bad priority',
      {
        clusters: [
          { name: 'c', priority: Number.POSITIVE_INFINITY, shards: [{ replicas: one() }] },
        ],
      },
      '`clusters[0].priority` must be a finite number, received number Infinity',
    ],
    [
      'a string priority',
      { clusters: [{ name: 'c', priority: '1', shards: [{ replicas: one() }] }] },
      '`clusters[0].priority` must be a finite number, received string "1"',
    ],
    [
      'no shards',
      { clusters: [{ name: 'c', shards: [] }] },
      '`clusters[0].shards` must be a non-empty array, received array of length 0',
    ],
    [
      'missing shards',
      { clusters: [{ name: 'c' }] },
      '`clusters[0].shards` must be a non-empty array, received undefined',
    ],
    [
      'an unknown cluster key',
      { clusters: [{ name: 'c', shard: [], shards: [{ replicas: one() }] }] },
      'unknown option `clusters[0].shard`; expected one of name, priority, shards',
    ],
    [
      'a bad shard name',
      withShards([{ name: 'a b', replicas: one() }]),
      '`clusters[0].shards[0].name` must be a string of 1 to 64 characters from [A-Za-z0-9_.-], received string "a b"',
    ],
    [
      'duplicate shard names',
      withShards([{ name: 's1', replicas: one() }, { replicas: one() }]),
      '`clusters[0].shards[1].name` string "s1" repeats `clusters[0].shards[0]`; shard names must be unique within a cluster',
    ],
    [
      'an unknown shard key',
      withShards([{ replicas: one(), weight: 2 }]),
      'unknown option `clusters[0].shards[0].weight`; expected one of name, replicas',
    ],
    [
      'no replicas',
      withShards([{ replicas: one() }, { replicas: [] }]),
      '`clusters[0].shards[1].replicas` must be a non-empty array, received array of length 0',
    ],
    [
      'a replica that is not an object',
      withReplicas([null]),
      '`clusters[0].shards[0].replicas[0]` must be an object, received null',
    ],
    [
      'a bad replica name',
      withReplicas([{ backend: fakeBackend(), name: 'é' }]),
      '`clusters[0].shards[0].replicas[0].name` must be a string of 1 to 64 characters from [A-Za-z0-9_.-], received string "é"',
    ],
    [
      'duplicate replica names',
      withReplicas([{ backend: fakeBackend() }, { backend: fakeBackend(), name: 'r0' }]),
      '`clusters[0].shards[0].replicas[1].name` string "r0" repeats `clusters[0].shards[0].replicas[0]`; replica names must be unique within a shard',
    ],
    [
      'a negative weight',
      withReplicas([{ backend: fakeBackend(), weight: -1 }]),
      '`clusters[0].shards[0].replicas[0].weight` must be a finite number > 0, received number -1',
    ],
    [
      'a zero weight',
      withReplicas([{ backend: fakeBackend(), weight: 0 }]),
      '`clusters[0].shards[0].replicas[0].weight` must be a finite number > 0, received number 0',
    ],
    [
      'a NaN weight',
      withReplicas([{ backend: fakeBackend(), weight: Number.NaN }]),
      'received number NaN',
    ],
    [
      'a bad role',
      withReplicas([{ backend: fakeBackend(), role: 'leader' }]),
      "`clusters[0].shards[0].replicas[0].role` must be 'primary' or 'secondary', received string \"leader\"",
    ],
    [
      'two primaries',
      withReplicas([
        { backend: fakeBackend(), role: 'primary' },
        { backend: fakeBackend(), role: 'primary' },
      ]),
      "`clusters[0].shards[0].replicas` must have at most one replica with role 'primary', received 2",
    ],
    [
      'only secondaries',
      withReplicas([{ backend: fakeBackend(), role: 'secondary' }]),
      "`clusters[0].shards[0].replicas` must have a primary replica, received 1 with role 'secondary'",
    ],
    [
      'an unknown replica key',
      withReplicas([{ backend: fakeBackend(), wieght: 2 }]),
      'unknown option `clusters[0].shards[0].replicas[0].wieght`; expected one of backend, name, weight, role',
    ],
    [
      'a missing backend',
      withReplicas([{ name: 'r' }]),
      '`clusters[0].shards[0].replicas[0].backend` must be a replica endpoint (an object), received undefined',
    ],
    [
      'a backend without kind',
      withReplicas([
        { backend: { endpoint: 'x://', search: () => undefined, upsert: () => undefined } },
      ]),
      '(`kind` must be a string)',
    ],
    [
      'a backend without endpoint',
      withReplicas([{ backend: { kind: 'x', search: () => undefined, upsert: () => undefined } }]),
      '(`endpoint` must be a string)',
    ],
    [
      'bad sharding',
      { ...withReplicas(one()), sharding: { strategy: 'jump', virtualNodes: 3 } },
      "unknown option `sharding.virtualNodes` for strategy 'jump'",
    ],
    [
      'range boundaries not fitting a cluster',
      {
        clusters: [
          { name: 'a', shards: [{ replicas: one() }, { replicas: one() }] },
          { name: 'b', shards: [{ replicas: one() }] },
        ],
        sharding: { strategy: 'range', boundaries: [0] },
      },
      '`clusters[1].shards` must number 2 (one more than `sharding.boundaries`), received 1',
    ],
  ])('rejects %s', (_, input, message) => {
    expect(topologyError(input)).toContain(message);
  });

  it('rejects the second of two clusters with the deeper problem path', () => {
    const input = {
      clusters: [
        { name: 'a', shards: [{ replicas: one() }] },
        { name: 'b', shards: [{ replicas: one() }, { replicas: [] }] },
      ],
    };
    expect(topologyError(input)).toBe(
      '`clusters[1].shards[1].replicas` must be a non-empty array, received array of length 0',
    );
  });
});
