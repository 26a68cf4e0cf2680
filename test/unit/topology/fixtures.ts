import { expect } from 'vitest';
import { InvalidOptionError, InvalidTopologyError } from '../../../src/core/errors.js';
import { resolveTopology } from '../../../src/topology/topology.js';
import type { VectorBackend } from '../../../src/backends/backend.js';
import { murmur3_32 } from '../../../src/core/hash.js';
import { keyString, type ShardKeyValue } from '../../../src/topology/shard-key.js';

/** A small, fast, seeded PRNG (mulberry32) for generating many keys cheaply inside one run. */
export function prng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const EXOTIC = ['é', '😀', '日本', '\u0000', ' '];

/**
 * `count` shard keys from a seed: a mix of random safe integers, structured ids like
 * `doc-<seed>-<i>` and random base-36 tokens (one in eight with a non-ASCII or odd suffix), the
 * shapes real ids have. Cheap enough to make 20k per property run.
 */
export function makeKeys(seed: number, count: number): ShardKeyValue[] {
  const next = prng(seed);
  const keys = new Array<ShardKeyValue>(count);
  for (let i = 0; i < count; i++) {
    const r = next();
    switch (r % 3) {
      case 0:
        keys[i] = next() * 2048 + (r >>> 21); // a safe integer below 2^43
        break;
      case 1:
        keys[i] = `doc-${seed}-${i}`;
        break;
      default: {
        const token = next().toString(36);
        keys[i] = (r & 0x38) === 0 ? token + EXOTIC[(r >>> 8) % EXOTIC.length]! : token;
      }
    }
  }
  return keys;
}

const POOL_SIZE = 1 << 16; // 65,536 keys, made once per test file
let pool: ShardKeyValue[] | undefined;

/**
 * `count` distinct keys (at most 2^19) drawn from a shared pool by a seeded walk: a random
 * start and a random odd stride over a power-of-two pool visit distinct slots. Much cheaper than
 * making fresh keys, for properties that need 20k keys per run.
 */
export function sampleKeys(seed: number, count: number): ShardKeyValue[] {
  pool ??= makeKeys(0x5eed, POOL_SIZE);
  const next = prng(seed);
  const start = next() & (POOL_SIZE - 1);
  const stride = (next() | 1) & (POOL_SIZE - 1);
  const out = new Array<ShardKeyValue>(count);
  for (let i = 0; i < count; i++) out[i] = pool[(start + i * stride) & (POOL_SIZE - 1)]!;
  return out;
}

/** Default shard names, as a topology without explicit names gets them. */
export function shardNames(n: number, prefix = 's'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

/** A reference consistent-hash ring, built independently of the implementation. */
export interface ReferenceRing {
  readonly points: readonly { readonly hash: number; readonly owner: number }[];
  /** Fraction of the 32-bit ring each shard owns (sums to 1). */
  readonly shares: readonly number[];
}

export function referenceRing(names: readonly string[], virtualNodes: number): ReferenceRing {
  const points: { hash: number; owner: number }[] = [];
  names.forEach((name, owner) => {
    for (let v = 0; v < virtualNodes; v++) points.push({ hash: murmur3_32(`${name}#${v}`), owner });
  });
  points.sort((a, b) =>
    a.hash !== b.hash
      ? a.hash - b.hash
      : names[a.owner]! < names[b.owner]!
        ? -1
        : names[a.owner]! > names[b.owner]!
          ? 1
          : 0,
  );
  const shares = new Array<number>(names.length).fill(0);
  for (let i = 0; i < points.length; i++) {
    // Point i owns the arc (previous point, point i].
    const prev = i === 0 ? points[points.length - 1]!.hash - 2 ** 32 : points[i - 1]!.hash;
    shares[points[i]!.owner]! += (points[i]!.hash - prev) / 2 ** 32;
  }
  return { points, shares };
}

/** The owner of `key` on a reference ring, by linear scan. */
export function referenceRingOwner(ring: ReferenceRing, key: ShardKeyValue): number {
  const h = murmur3_32(keyString(key));
  for (const p of ring.points) if (p.hash >= h) return p.owner;
  return ring.points[0]!.owner;
}

let backendCounter = 0;

/** A stand-in that passes the topology's backend shape check; it is never called. */
export function fakeBackend(endpoint = `fake://${backendCounter++}`): VectorBackend {
  const unused = (): never => {
    throw new Error('not used in topology tests');
  };
  return {
    kind: 'fake',
    endpoint,
    search: unused,
    upsert: unused,
  } as unknown as VectorBackend;
}

/** Runs `resolveTopology` expecting an `InvalidTopologyError`, and returns its message. */
export function topologyError(input: { clusters: unknown; sharding?: unknown }): string {
  try {
    resolveTopology(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTopologyError);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidTopologyError).code).toBe('VECMESH_ERR_INVALID_TOPOLOGY');
    return (error as Error).message;
  }
  throw new Error('expected an InvalidTopologyError');
}

/** One cluster, one shard, given replicas. */
export const withReplicas = (replicas: unknown): { clusters: unknown } => ({
  clusters: [{ name: 'c', shards: [{ replicas }] }],
});

/** One cluster with given shards. */
export const withShards = (shards: unknown): { clusters: unknown } => ({
  clusters: [{ name: 'c', shards }],
});
