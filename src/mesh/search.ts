/**
 * The read path of a search: pick the cluster, prune shards, ask each remaining shard in parallel
 * (walking its replicas on retryable errors), and merge the answers into one top-k per query.
 *
 * @module
 */
import type { Hit } from '../core/types.js';
import type { BackendSearchRequest } from '../backends/backend.js';
import type { Deadline } from '../resilience/deadline.js';
import { candidateShards } from '../topology/prune.js';
import type { Cluster, Shard } from '../topology/topology.js';
import type { MeshContext } from './context.js';
import { mergeTopK } from './merge.js';
import type { PreparedSearch } from './prepare-search.js';
import { readFromShard } from './replica-call.js';
import type { CollectionSpec } from '../core/types.js';

/** Which part of the data a search covered. */
export interface SearchCoverage {
  /** The cluster that served the search. */
  readonly cluster: string;
  /** Shards of that cluster that were asked (after pruning by the filter on the shard key). */
  readonly shardsQueried: readonly string[];
  /** Shards skipped because the filter on the shard key rules them out. */
  readonly shardsPruned: number;
  /** Whether every shard that could hold a match answered. */
  readonly complete: boolean;
}

/** The answer to a search. */
export interface SearchResult {
  /** One list per query vector, best first, at most `topK` each. */
  readonly hits: Hit[][];
  /** Which shards answered. */
  readonly coverage: SearchCoverage;
}

/**
 * Runs a validated search on the preferred cluster.
 *
 * @throws `ShardUnavailableError` when a shard has no replica that answers, or the first
 * non-retryable backend error.
 */
export async function runSearch(
  ctx: MeshContext,
  collection: string,
  spec: CollectionSpec,
  search: PreparedSearch,
  deadline: Deadline,
): Promise<SearchResult> {
  const cluster = ctx.topology().clusters[0] as Cluster;
  const shardIndexes = candidateShards(
    cluster.shardMap,
    ctx.topology().sharding.key,
    search.filter,
  );
  const shards = shardIndexes.map((i) => cluster.shards[i] as Shard);
  const perShard = await Promise.all(
    shards.map((shard) => searchShard(ctx, collection, shard, search, deadline)),
  );
  const hits = search.vectors.map((_, q) =>
    mergeTopK(
      perShard.map((lists) => lists[q] ?? []),
      spec.metric,
      search.topK,
      search.offset,
    ),
  );
  return {
    hits,
    coverage: {
      cluster: cluster.name,
      shardsQueried: shards.map((s) => s.name),
      shardsPruned: cluster.shards.length - shards.length,
      complete: true,
    },
  };
}

/** Asks one shard, splitting the query vectors to fit each backend's per-request limit. */
async function searchShard(
  ctx: MeshContext,
  collection: string,
  shard: Shard,
  search: PreparedSearch,
  deadline: Deadline,
): Promise<Hit[][]> {
  const plan = ctx.readPlan(shard);
  return readFromShard(shard, plan, 'search', deadline, async (replica) => {
    const backend = replica.backend;
    const perRequest = backend.capabilities.maxQueriesPerRequest;
    const base: Omit<BackendSearchRequest, 'vectors'> = {
      topK: search.topK + search.offset,
      filter: search.filter,
      includePayload: search.includePayload,
      includeVector: search.includeVector,
      params: search.params,
    };
    const name = ctx.physicalName(collection, replica);
    if (search.vectors.length <= perRequest) {
      return backend.search(
        name,
        { ...base, vectors: search.vectors },
        { signal: deadline.signal },
      );
    }
    const parts: Promise<Hit[][]>[] = [];
    for (let i = 0; i < search.vectors.length; i += perRequest) {
      const vectors = search.vectors.slice(i, i + perRequest);
      parts.push(backend.search(name, { ...base, vectors }, { signal: deadline.signal }));
    }
    return (await Promise.all(parts)).flat();
  });
}
