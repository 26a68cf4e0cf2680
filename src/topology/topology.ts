/**
 * The topology model: clusters -> shards -> replicas, validated once into an immutable value with
 * an `epoch` that grows on every change.
 *
 * @module
 */
import { InvalidArgumentError, InvalidTopologyError, describeValue } from '../core/errors.js';
import {
  finiteNumber,
  nonEmptyArray,
  rejectUnknownTopologyKeys,
  topologyName,
  topologyObject,
} from './checks.js';
import { createShardMap, type ShardMap } from './shard-map.js';
import { resolveShardingOptions, type ResolvedShardingOptions } from './sharding-options.js';

/**
 * What the topology needs of the endpoint a replica lives on: a kind and an address to name it
 * by, and its identity (one endpoint object per shard at most). The topology never calls it;
 * the mesh binds the type parameter `E` of the types below to its `VectorBackend`.
 */
export interface ReplicaEndpoint {
  /** What kind of server it is (`milvus`, `qdrant`, `memory`, ...). */
  readonly kind: string;
  /** Where it is, for messages and metrics labels. */
  readonly endpoint: string;
}

/**
 * Checks that a value given as a replica's `backend` is an endpoint of the type `E`, and
 * returns it.
 *
 * @throws {@link InvalidTopologyError} naming `path` when it is not.
 */
export type EndpointCheck<E extends ReplicaEndpoint> = (value: unknown, path: string) => E;

/** A replica's part in its shard: `primary` takes writes first in primary replication mode. */
export type ReplicaRole = 'primary' | 'secondary';

/** One copy of a shard on one backend endpoint. */
export interface ReplicaOptions<E extends ReplicaEndpoint = ReplicaEndpoint> {
  /** The adapter for the endpoint holding this copy. One backend object per shard at most. */
  backend: E;
  /**
   * Name, unique within the shard, matching `/^[A-Za-z0-9_.-]{1,64}$/`.
   * @default `r${index}`
   */
  name?: string;
  /**
   * Relative share of reads for weighted balancing, a finite number > 0.
   * @default 1
   */
  weight?: number;
  /**
   * The replica's role. When no replica of the shard says `primary`, the first replica without
   * a role is the primary; every other replica without a role is `secondary`.
   * @default 'primary' for the first replica of a shard, 'secondary' for the others
   */
  role?: ReplicaRole;
  /**
   * Prefix of this replica's collection names on its backend, matching
   * {@link NAMESPACE_PATTERN}: the mesh's collection `docs` is `${namespace}__docs` there. Lets
   * several shards share one server (one Milvus holding shards `s0` and `s1` as `s0__docs` and
   * `s1__docs`). Two replicas may share a backend endpoint only with different namespaces.
   * @default undefined (the collection's own name)
   * @example
   * ```ts
   * const milvus = milvusBackend({ address: '127.0.0.1:19530' });
   * const shards = [{ replicas: [{ backend: milvus, namespace: 's0' }] }, { replicas: [{ backend: milvus, namespace: 's1' }] }];
   * ```
   */
  namespace?: string;
}

/** Namespaces a replica may give: an identifier of at most 64 characters. */
export const NAMESPACE_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * The name of a mesh collection on a replica's backend: the name itself, or
 * `${namespace}__${name}` for a replica with a namespace.
 *
 * @example
 * ```ts
 * physicalCollectionName('docs', { namespace: 's0' }); // 's0__docs'
 * ```
 */
export function physicalCollectionName(
  collection: string,
  replica: { readonly namespace: string | undefined },
): string {
  return replica.namespace === undefined ? collection : `${replica.namespace}__${collection}`;
}

/** One slice of every collection, held by one or more replicas. */
export interface ShardOptions<E extends ReplicaEndpoint = ReplicaEndpoint> {
  /**
   * Name, unique within the cluster, matching `/^[A-Za-z0-9_.-]{1,64}$/`. Shard maps place
   * keys by name (`consistent-hash`, `rendezvous`), so keep names stable across changes.
   * @default `s${index}`
   */
  name?: string;
  /** The copies of this shard, at least one. */
  replicas: readonly ReplicaOptions<E>[];
}

/** A group of shards in one place (a region, a data centre). */
export interface ClusterOptions<E extends ReplicaEndpoint = ReplicaEndpoint> {
  /** Name, unique in the topology, matching `/^[A-Za-z0-9_.-]{1,64}$/`. */
  name: string;
  /**
   * Read preference, a finite number: lower is preferred; equal priorities keep list order.
   * @default the cluster's index in `clusters`
   */
  priority?: number;
  /** The shards, at least one. */
  shards: readonly ShardOptions<E>[];
}

/** A validated replica. */
export interface Replica<E extends ReplicaEndpoint = ReplicaEndpoint> {
  /** `${cluster}/${shard}/${name}`, unique in the topology. */
  readonly id: string;
  /** Its shard's {@link Shard.id}. */
  readonly shardId: string;
  /** Name within the shard. */
  readonly name: string;
  /** Cluster name. */
  readonly cluster: string;
  /** Shard name. */
  readonly shard: string;
  /** Shard index in its cluster (the shard map's index). */
  readonly shardIndex: number;
  /** Position in the shard's replica list. */
  readonly index: number;
  /** The adapter (a live object: it is not frozen). */
  readonly backend: E;
  /** Relative read share, > 0. */
  readonly weight: number;
  /** Its role in the shard. */
  readonly role: ReplicaRole;
  /** Prefix of its collection names on the backend (see {@link ReplicaOptions.namespace}). */
  readonly namespace: string | undefined;
}

/** A validated shard. */
export interface Shard<E extends ReplicaEndpoint = ReplicaEndpoint> {
  /**
   * `${cluster}/${name}`, unique in the topology and the same in every topology that keeps the
   * shard: maps keyed by shard use it.
   */
  readonly id: string;
  /** Name within the cluster. */
  readonly name: string;
  /** Index in the cluster (the shard map's index). */
  readonly index: number;
  /** Cluster name. */
  readonly cluster: string;
  /** The replicas, in the order given. */
  readonly replicas: readonly Replica<E>[];
  /** The one primary replica. */
  readonly primary: Replica<E>;
}

/** A validated cluster. */
export interface Cluster<E extends ReplicaEndpoint = ReplicaEndpoint> {
  /** Unique name. */
  readonly name: string;
  /** Read preference, lower first. */
  readonly priority: number;
  /** The shards, in index order. */
  readonly shards: readonly Shard<E>[];
  /** Key -> shard index for this cluster. */
  readonly shardMap: ShardMap;
}

/** The whole validated topology. Immutable: a change makes a new one with a larger epoch. */
export interface Topology<E extends ReplicaEndpoint = ReplicaEndpoint> {
  /** Grows with every change; part of cache keys. */
  readonly epoch: number;
  /** Clusters sorted by priority (stable: equal priorities keep input order). */
  readonly clusters: readonly Cluster<E>[];
  /** The sharding options every cluster uses. */
  readonly sharding: ResolvedShardingOptions;
  /** Every replica of every cluster, flat, in cluster then shard then replica order. */
  readonly replicas: readonly Replica<E>[];
}

const CLUSTER_KEYS = ['name', 'priority', 'shards'];
const SHARD_KEYS = ['name', 'replicas'];
const REPLICA_KEYS = ['backend', 'name', 'weight', 'role', 'namespace'];
const ENDPOINT_STRINGS = ['kind', 'endpoint'] as const;

/**
 * Checks the shape of a replica's `backend`: an object with a string `kind` and `endpoint` and
 * the methods named in `methods`. The building block of an {@link EndpointCheck}.
 *
 * @param value - What the options gave.
 * @param path - Its path in the options, for the message.
 * @param typeName - What it must be, for the message.
 * @param methods - The methods it must have.
 * @default methods []
 * @throws {@link InvalidTopologyError} naming `path`, `typeName` and what is missing.
 * @example
 * ```ts
 * checkEndpointShape(value, 'clusters[0].shards[0].replicas[0].backend', 'VectorBackend', ['search']);
 * ```
 */
export function checkEndpointShape(
  value: unknown,
  path: string,
  typeName: string,
  methods: readonly string[] = [],
): ReplicaEndpoint {
  const fail = (what: string): never => {
    throw new InvalidTopologyError(
      `\`${path}\` must be a ${typeName} (${what}), received ${describeValue(value)}`,
    );
  };
  if (typeof value !== 'object' || value === null) return fail('an object');
  const obj = value as Record<string, unknown>;
  for (const key of ENDPOINT_STRINGS) {
    if (typeof obj[key] !== 'string') fail(`\`${key}\` must be a string`);
  }
  for (const key of methods) {
    if (typeof obj[key] !== 'function') fail(`\`${key}\` must be a method`);
  }
  return value as ReplicaEndpoint;
}

/**
 * The check {@link resolveTopology} makes when given no other: an object with a string `kind`
 * and `endpoint`.
 *
 * @throws {@link InvalidTopologyError} naming `path` and the missing field.
 * @example
 * ```ts
 * checkReplicaEndpoint({ kind: 'memory', endpoint: 'memory://a' }, 'backend'); // the object
 * ```
 */
export function checkReplicaEndpoint(value: unknown, path: string): ReplicaEndpoint {
  return checkEndpointShape(value, path, 'replica endpoint');
}

function checkNamespace(value: unknown, path: string): string | undefined {
  if (value === undefined || (typeof value === 'string' && NAMESPACE_PATTERN.test(value))) {
    return value;
  }
  throw new InvalidTopologyError(
    `\`${path}\` must match ${String(NAMESPACE_PATTERN)}, received ${describeValue(value)}`,
  );
}

function checkRole(value: unknown, path: string): ReplicaRole | undefined {
  if (value === undefined || value === 'primary' || value === 'secondary') return value;
  throw new InvalidTopologyError(
    `\`${path}\` must be 'primary' or 'secondary', received ${describeValue(value)}`,
  );
}

function resolveShard<E extends ReplicaEndpoint>(
  input: unknown,
  path: string,
  cluster: string,
  index: number,
  checkEndpoint: EndpointCheck<E>,
): Shard<E> {
  const obj = topologyObject(input, path);
  rejectUnknownTopologyKeys(obj, path, SHARD_KEYS);
  const name = topologyName(obj['name'], `${path}.name`, `s${index}`);
  const list = nonEmptyArray(obj['replicas'], `${path}.replicas`);
  const raw = list.map((r, i) => {
    const rPath = `${path}.replicas[${i}]`;
    const ro = topologyObject(r, rPath);
    rejectUnknownTopologyKeys(ro, rPath, REPLICA_KEYS);
    return {
      path: rPath,
      backend: checkEndpoint(ro['backend'], `${rPath}.backend`),
      name: topologyName(ro['name'], `${rPath}.name`, `r${i}`),
      weight: finiteNumber(ro['weight'], `${rPath}.weight`, 1, 0),
      role: checkRole(ro['role'], `${rPath}.role`),
      namespace: checkNamespace(ro['namespace'], `${rPath}.namespace`),
    };
  });
  const names = new Map<string, number>();
  const backends = new Map<E, number>();
  for (const [i, r] of raw.entries()) {
    const sameName = names.get(r.name);
    if (sameName !== undefined) {
      throw new InvalidTopologyError(
        `\`${r.path}.name\` ${describeValue(r.name)} repeats \`${path}.replicas[${sameName}]\`; replica names must be unique within a shard`,
      );
    }
    names.set(r.name, i);
    const sameBackend = backends.get(r.backend);
    if (sameBackend !== undefined) {
      throw new InvalidTopologyError(
        `\`${r.path}.backend\` is the same backend object as \`${path}.replicas[${sameBackend}].backend\`; two replicas of one shard would be one copy`,
      );
    }
    backends.set(r.backend, i);
  }
  const primaries = raw.filter((r) => r.role === 'primary');
  if (primaries.length > 1) {
    throw new InvalidTopologyError(
      `\`${path}.replicas\` must have at most one replica with role 'primary', received ${primaries.length}`,
    );
  }
  // With no explicit primary, the first replica without a role takes it.
  const primaryIndex =
    primaries.length === 1
      ? raw.findIndex((r) => r.role === 'primary')
      : raw.findIndex((r) => r.role === undefined);
  if (primaryIndex < 0) {
    throw new InvalidTopologyError(
      `\`${path}.replicas\` must have a primary replica, received ${raw.length} with role 'secondary'`,
    );
  }
  const id = `${cluster}/${name}`;
  const replicas = raw.map((r, i): Replica<E> =>
    Object.freeze({
      id: `${id}/${r.name}`,
      shardId: id,
      name: r.name,
      cluster,
      shard: name,
      shardIndex: index,
      index: i,
      backend: r.backend,
      weight: r.weight,
      role: i === primaryIndex ? 'primary' : 'secondary',
      namespace: r.namespace,
    }),
  );
  const primary = replicas[primaryIndex] as Replica<E>;
  return Object.freeze({ id, name, index, cluster, replicas: Object.freeze(replicas), primary });
}

function resolveCluster<E extends ReplicaEndpoint>(
  input: unknown,
  path: string,
  index: number,
  sharding: ResolvedShardingOptions,
  checkEndpoint: EndpointCheck<E>,
): Cluster<E> {
  const obj = topologyObject(input, path);
  rejectUnknownTopologyKeys(obj, path, CLUSTER_KEYS);
  const name = topologyName(obj['name'], `${path}.name`);
  const priority = finiteNumber(obj['priority'], `${path}.priority`, index);
  const list = nonEmptyArray(obj['shards'], `${path}.shards`);
  const shards = list.map((s, i) =>
    resolveShard(s, `${path}.shards[${i}]`, name, i, checkEndpoint),
  );
  const seen = new Map<string, number>();
  for (const [i, shard] of shards.entries()) {
    const same = seen.get(shard.name);
    if (same !== undefined) {
      throw new InvalidTopologyError(
        `\`${path}.shards[${i}].name\` ${describeValue(shard.name)} repeats \`${path}.shards[${same}]\`; shard names must be unique within a cluster`,
      );
    }
    seen.set(shard.name, i);
  }
  if (sharding.strategy === 'range' && sharding.boundaries.length !== shards.length - 1) {
    throw new InvalidTopologyError(
      `\`${path}.shards\` must number ${sharding.boundaries.length + 1} (one more than \`sharding.boundaries\`), received ${shards.length}`,
    );
  }
  const shardMap = createShardMap(
    sharding,
    shards.map((s) => s.name),
  );
  return Object.freeze({ name, priority, shards: Object.freeze(shards), shardMap });
}

/**
 * Validates a topology and builds its immutable model: defaults filled in, clusters sorted by
 * priority, one shard map per cluster, every object frozen (except the backends, which are live
 * adapters).
 *
 * Only `clusters` and `sharding` of `input` are read; other keys are left to the caller (so that
 * it can pass its whole options object).
 *
 * @param input - `clusters` (a non-empty array of {@link ClusterOptions}) and optional `sharding`.
 * @param epoch - The version of this topology, a non-negative safe integer.
 * @default epoch 1
 * @returns The frozen topology.
 * @throws {@link InvalidTopologyError} naming the offending path (e.g.
 * `clusters[1].shards[0].replicas`) for: no clusters, shards or replicas; a missing or malformed
 * name; duplicate cluster names, shard names in a cluster or replica names in a shard; a weight
 * that is not a finite number > 0; a priority that is not finite; a role other than
 * primary/secondary, two primaries, or only secondaries in a shard; one backend object twice in
 * a shard; something that is not a backend (as `checkEndpoint` sees it); range boundaries that do not number shards - 1;
 * an unknown option key; and every sharding error of `resolveShardingOptions`.
 * @throws {@link InvalidArgumentError} when `epoch` is not a non-negative safe integer.
 * @example
 * ```ts
 * const topology = resolveTopology({
 *   clusters: [{ name: 'local', shards: [{ replicas: [{ backend: a }, { backend: b }] }] }],
 *   sharding: { strategy: 'jump' },
 * });
 * topology.clusters[0].shards[0].id; // 'local/s0'
 * topology.clusters[0].shards[0].primary.id; // 'local/s0/r0'
 * ```
 */
export function resolveTopology(
  input: { readonly clusters: unknown; readonly sharding?: unknown },
  epoch?: number,
): Topology;
/**
 * Validates a topology whose replicas' `backend` is checked, and typed, by `checkEndpoint`
 * (the mesh passes `checkVectorBackend`, which also asks for the methods it calls). Otherwise
 * as the form without it: the same checks, the same errors.
 *
 * @param input - `clusters` and optional `sharding`.
 * @param epoch - The version of this topology, a non-negative safe integer.
 * @param checkEndpoint - Checks one replica's `backend` and returns it typed as `E`.
 * @returns The frozen topology, its replicas on endpoints of type `E`.
 * @throws {@link InvalidTopologyError} as the form without `checkEndpoint`, and whatever
 *   `checkEndpoint` throws.
 * @example
 * ```ts
 * const topology = resolveTopology({ clusters }, 1, checkVectorBackend);
 * ```
 */
export function resolveTopology<E extends ReplicaEndpoint>(
  input: { readonly clusters: unknown; readonly sharding?: unknown },
  epoch: number,
  checkEndpoint: EndpointCheck<E>,
): Topology<E>;
export function resolveTopology<E extends ReplicaEndpoint>(
  input: { readonly clusters: unknown; readonly sharding?: unknown },
  epoch = 1,
  checkEndpoint: EndpointCheck<E> = checkReplicaEndpoint as EndpointCheck<E>,
): Topology<E> {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new InvalidArgumentError(
      `\`epoch\` must be a non-negative safe integer, received ${describeValue(epoch)}`,
    );
  }
  // Guards JavaScript callers; only `clusters` and `sharding` are read.
  const { clusters: rawClusters, sharding: rawSharding } = topologyObject(input, 'topology');
  const sharding = resolveShardingOptions(rawSharding, 'sharding');
  const list = nonEmptyArray(rawClusters, 'clusters');
  const clusters = list.map((c, i) =>
    resolveCluster(c, `clusters[${i}]`, i, sharding, checkEndpoint),
  );
  const seen = new Map<string, number>();
  for (const [i, cluster] of clusters.entries()) {
    const same = seen.get(cluster.name);
    if (same !== undefined) {
      throw new InvalidTopologyError(
        `\`clusters[${i}].name\` ${describeValue(cluster.name)} repeats \`clusters[${same}]\`; cluster names must be unique`,
      );
    }
    seen.set(cluster.name, i);
  }
  // Array.prototype.sort is stable, so equal priorities keep input order.
  const sorted = [...clusters].sort((a, b) => a.priority - b.priority);
  const replicas = sorted.flatMap((c) => c.shards.flatMap((s) => s.replicas));
  return Object.freeze({
    epoch,
    clusters: Object.freeze(sorted),
    sharding,
    replicas: Object.freeze(replicas),
  });
}
