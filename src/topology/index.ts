/**
 * Topology: the immutable cluster -> shard -> replica model, shard maps, shard keys, pruning and
 * resharding plans. The concrete map classes stay internal; `createShardMap` builds them.
 *
 * @module
 */
export { TOPOLOGY_NAME_PATTERN } from './checks.js';
export { candidateShards } from './prune.js';
export { planReshard, type ReshardMove, type ReshardPlan } from './reshard.js';
export { shardKeyOf, type ShardKeyValue } from './shard-key.js';
export { createShardMap, type KeyRange, type ShardMap } from './shard-map.js';
export {
  DEFAULT_VIRTUAL_NODES,
  MAX_VIRTUAL_NODES,
  SHARDING_STRATEGIES,
  resolveShardingOptions,
  type ConsistentHashShardingOptions,
  type FieldShardKey,
  type PlainShardingOptions,
  type RangeShardingOptions,
  type ResolvedConsistentHashSharding,
  type ResolvedPlainSharding,
  type ResolvedRangeSharding,
  type ResolvedShardKey,
  type ResolvedShardingOptions,
  type ShardingBaseOptions,
  type ShardKeyOption,
  type ShardingOptions,
  type ShardingStrategy,
} from './sharding-options.js';
export {
  NAMESPACE_PATTERN,
  checkEndpointShape,
  checkReplicaEndpoint,
  physicalCollectionName,
  resolveTopology,
  type EndpointCheck,
  type ReplicaEndpoint,
  type Cluster,
  type ClusterOptions,
  type Replica,
  type ReplicaOptions,
  type ReplicaRole,
  type Shard,
  type ShardOptions,
  type Topology,
} from './topology.js';
