/**
 * The read path of a search: pick the cluster, prune shards, ask each remaining shard in parallel
 * (walking its replicas on retryable errors), and merge the answers into one top-k per query.
 * When a shard cannot answer, the search moves to the next cluster; when none can, it fails or,
 * with `partialResults: 'allow'`, returns what the best cluster answered with a coverage report.
 *
 * @module
 */
import { VecmeshError } from '../core/errors.js';
import type { CollectionSpec, Hit } from '../core/types.js';
import type { BackendSearchRequest } from '../backends/backend.js';
import type { Deadline } from '../resilience/deadline.js';
import { candidateShards } from '../topology/prune.js';
import type { Cluster, Replica, Shard } from '../backends/backend-topology.js';
import type { MeshContext } from './context.js';
import { mergeTopK } from './merge.js';
import type { PreparedSearch } from './prepare-search.js';
import { readShard, readShardQuorum } from './shard-reader.js';
import type { OperationSpan } from '../tracing/mesh-tracer.js';

/** Which part of the data a search covered. */
export interface SearchCoverage {
  /** The cluster that served the search. */
  readonly cluster: string;
  /** Shards of that cluster that were asked (after pruning by the filter on the shard key). */
  readonly shardsQueried: readonly string[];
  /** Shards skipped because the filter on the shard key rules them out. */
  readonly shardsPruned: number;
  /** Shards that could not answer (only with `partialResults: 'allow'`). */
  readonly shardsMissing: readonly string[];
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

/** What one cluster answered. */
interface ClusterAnswer {
  readonly result: SearchResult;
  readonly errors: readonly VecmeshError[];
}

/**
 * Runs a validated search, failing over between clusters.
 *
 * @param only - Asks only the shards it accepts (the others count as pruned).
 * @throws `ShardUnavailableError` when some shard cannot answer in any cluster (unless partial
 * results are allowed), or the first non-retryable backend error.
 */
export async function runSearch(
  ctx: MeshContext,
  collection: string,
  spec: CollectionSpec,
  search: PreparedSearch,
  deadline: Deadline,
  partialResults: 'fail' | 'allow',
  span?: OperationSpan,
  only?: (shard: Shard) => boolean,
): Promise<SearchResult> {
  const clusters = ctx.readClusters();
  let best: ClusterAnswer | undefined;
  let firstError: VecmeshError | undefined;
  for (let i = 0; i < clusters.length; i++) {
    const cluster = clusters[i] as Cluster;
    const answer = await searchCluster(
      ctx,
      collection,
      spec,
      cluster,
      search,
      deadline,
      span,
      only,
    );
    if (answer.errors.length === 0) return answer.result;
    deadline.throwIfAborted();
    const fatal = answer.errors.find((e) => !e.retryable);
    if (fatal) throw fatal;
    firstError ??= answer.errors[0];
    if (
      !best ||
      answer.result.coverage.shardsMissing.length < best.result.coverage.shardsMissing.length
    ) {
      best = answer;
    }
    const next = clusters[i + 1];
    if (next) {
      ctx.events.emit('failover', {
        operation: 'search',
        from: cluster.name,
        to: next.name,
        reason: answer.errors[0]?.message ?? 'a shard could not answer',
      });
    }
  }
  if (partialResults === 'allow' && best) return best.result;
  throw firstError ?? new VecmeshError('search found no cluster to ask');
}

/** Asks every candidate shard of one cluster; never rejects for a shard failure. */
async function searchCluster(
  ctx: MeshContext,
  collection: string,
  spec: CollectionSpec,
  cluster: Cluster,
  search: PreparedSearch,
  deadline: Deadline,
  span: OperationSpan | undefined,
  only: ((shard: Shard) => boolean) | undefined,
): Promise<ClusterAnswer> {
  const indexes = candidateShards(cluster.shardMap, ctx.topology().sharding.key, search.filter);
  const candidates = indexes.map((i) => cluster.shards[i] as Shard);
  // During a migration the next placement is searched on the shards the old one lacks only.
  const shards = only === undefined ? candidates : candidates.filter(only);
  const settled = await Promise.allSettled(
    shards.map((shard) =>
      span === undefined
        ? searchShard(ctx, collection, spec, shard, search, deadline)
        : span.shard({ cluster: shard.cluster, shard: shard.name }, () =>
            searchShard(ctx, collection, spec, shard, search, deadline),
          ),
    ),
  );
  const lists: Hit[][][] = [];
  const errors: VecmeshError[] = [];
  const missing: string[] = [];
  settled.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') lists.push(outcome.value);
    else {
      missing.push((shards[i] as Shard).name);
      errors.push(
        outcome.reason instanceof VecmeshError
          ? outcome.reason
          : new VecmeshError(String(outcome.reason), { cause: outcome.reason }),
      );
    }
  });
  const hits = search.vectors.map((_, q) =>
    mergeTopK(
      lists.map((perQuery) => perQuery[q] ?? []),
      spec.metric,
      search.topK,
      search.offset,
    ),
  );
  return {
    result: {
      hits,
      coverage: {
        cluster: cluster.name,
        shardsQueried: shards.map((s) => s.name),
        shardsPruned: cluster.shards.length - shards.length,
        shardsMissing: missing,
        complete: missing.length === 0,
      },
    },
    errors,
  };
}

/** Asks one shard (one replica, or a quorum whose answers are merged). */
async function searchShard(
  ctx: MeshContext,
  collection: string,
  spec: CollectionSpec,
  shard: Shard,
  search: PreparedSearch,
  deadline: Deadline,
): Promise<Hit[][]> {
  const read = (replica: Replica, signal: AbortSignal): Promise<Hit[][]> =>
    searchReplica(ctx, collection, replica, search, signal);
  if (ctx.options.replication.readConsistency === 'one' || shard.replicas.length === 1) {
    return readShard(ctx, shard, 'search', deadline, read);
  }
  const answers = await readShardQuorum(ctx, shard, 'search', deadline, read);
  const wanted = search.topK + search.offset;
  return search.vectors.map((_, q) =>
    mergeTopK(
      answers.map((perQuery) => perQuery[q] ?? []),
      spec.metric,
      wanted,
      0,
    ),
  );
}

/** One replica's answer, splitting the query vectors to fit its per-request limit. */
async function searchReplica(
  ctx: MeshContext,
  collection: string,
  replica: Replica,
  search: PreparedSearch,
  signal: AbortSignal,
): Promise<Hit[][]> {
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
    return backend.search(name, { ...base, vectors: search.vectors }, { signal });
  }
  const parts: Promise<Hit[][]>[] = [];
  for (let i = 0; i < search.vectors.length; i += perRequest) {
    const vectors = search.vectors.slice(i, i + perRequest);
    parts.push(backend.search(name, { ...base, vectors }, { signal }));
  }
  return (await Promise.all(parts)).flat();
}
