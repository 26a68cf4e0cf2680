// The topology bound to VectorBackend: resolveBackendTopology asks a replica's backend for the
// methods the mesh calls, on top of the topology's own endpoint check.
import { describe, expect, it } from 'vitest';
import { InvalidTopologyError } from '../../../src/core/errors.js';
import { resolveBackendTopology } from '../../../src/backends/backend-topology.js';
import { resolveTopology } from '../../../src/topology/topology.js';
import { fakeBackend, withReplicas } from '../topology/fixtures.js';

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTopologyError);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidTopologyError');
}

describe('resolveBackendTopology', () => {
  it.each<[string, unknown, string]>([
    [
      'a backend without search',
      { kind: 'x', endpoint: 'x://', upsert: () => undefined },
      '`clusters[0].shards[0].replicas[0].backend` must be a VectorBackend (`search` must be a method), received object Object',
    ],
    [
      'a backend without upsert',
      { kind: 'x', endpoint: 'x://', search: () => undefined },
      '(`upsert` must be a method)',
    ],
    ['a backend without kind', { endpoint: 'x://', search: () => 0, upsert: () => 0 }, '(`kind`'],
    ['no backend', undefined, 'must be a VectorBackend (an object), received undefined'],
  ])('rejects %s', (_, backend, expected) => {
    expect(message(() => resolveBackendTopology(withReplicas([{ backend }])))).toContain(expected);
  });

  it('asks more of a backend than the topology alone does', () => {
    const noMethods = { kind: 'x', endpoint: 'x://' };
    // The topology alone needs only a kind and an endpoint; the mesh needs the methods too.
    expect(resolveTopology(withReplicas([{ backend: noMethods }])).replicas[0]!.backend).toBe(
      noMethods,
    );
    expect(() => resolveBackendTopology(withReplicas([{ backend: noMethods }]))).toThrow(
      InvalidTopologyError,
    );
  });

  it('keeps the epoch and gives every shard and replica its shard id', () => {
    const backend = fakeBackend();
    const topology = resolveBackendTopology(withReplicas([{ backend }]), 7);
    expect(topology.epoch).toBe(7);
    const shard = topology.clusters[0]!.shards[0]!;
    expect(shard.id).toBe('c/s0');
    expect(shard.replicas[0]!.shardId).toBe(shard.id);
    expect(shard.replicas[0]!.backend).toBe(backend);
  });
});
