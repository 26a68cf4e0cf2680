/**
 * Operations on a pinned view: the plain paths when no migration runs, and during a migration
 * the dual write (old owner AND new owner), the union read (`get` and `search` consult both
 * owners) and the old-owner count. Live writes enter the view's copy gate when it has one.
 *
 * @module
 */
import { PartialWriteError, type PointFailure } from '../core/errors.js';
import type { FilterNode } from '../core/filter-ast.js';
import { idKey } from '../core/ids.js';
import type { CollectionSpec, PointId, StoredPoint } from '../core/types.js';
import type { Deadline } from '../resilience/deadline.js';
import type { Topology } from '../backends/backend-topology.js';
import type { OperationSpan } from '../tracing/mesh-tracer.js';
import { mergeTopK } from './merge.js';
import type { WriteConsistency } from './options.js';
import type { PreparedItem } from './prepare-batch.js';
import type { PreparedSearch } from './prepare-search.js';
import { runCount, runGet } from './read.js';
import { runSearch, type SearchResult } from './search.js';
import { runWrite, type WriteOperation, type WriteResult } from './write.js';
import type { MeshView } from '../reshard/view.js';
import type { MeshContext } from './context.js';

/**
 * Writes on a view. During a migration an item goes to its owner under the old placement and,
 * when that differs, to its owner under the next one; it is acknowledged only when both
 * acknowledged it (or took hints), each at its own shard's consistency.
 *
 * @throws `PartialWriteError` listing every id either side did not acknowledge.
 */
export async function writeOnView<T>(
  view: MeshView<MeshContext>,
  collection: string,
  items: readonly PreparedItem<T>[],
  consistency: WriteConsistency,
  deadline: Deadline,
  operation: WriteOperation<T>,
  span?: OperationSpan,
): Promise<WriteResult> {
  const gate = view.gate;
  if (gate === undefined) {
    return dualWrite(view, collection, items, consistency, deadline, operation, span);
  }
  const entering = gate.enterShared(items.map((item) => idKey(item.id)));
  let leave: () => void;
  try {
    leave = await deadline.race(entering);
  } catch (error) {
    // Given up waiting: leave as soon as the entry is granted, so that no slot stays held.
    void entering.then((late) => {
      late();
    });
    throw error;
  }
  try {
    return await dualWrite(view, collection, items, consistency, deadline, operation, span);
  } finally {
    leave();
  }
}

async function dualWrite<T>(
  view: MeshView<MeshContext>,
  collection: string,
  items: readonly PreparedItem<T>[],
  consistency: WriteConsistency,
  deadline: Deadline,
  operation: WriteOperation<T>,
  span: OperationSpan | undefined,
): Promise<WriteResult> {
  const migration = view.migration;
  if (migration === undefined) {
    return runWrite(view.ctx, collection, items, consistency, deadline, operation, span);
  }
  const moving = items.filter((item) => ownerChanges(view.topology, migration.topology, item.key));
  const [old, next] = await Promise.allSettled([
    runWrite(view.ctx, collection, items, consistency, deadline, operation, span),
    moving.length === 0
      ? Promise.resolve({ acknowledged: 0, requests: 0, handedOff: 0 })
      : runWrite(migration.ctx, collection, moving, consistency, deadline, operation, span),
  ]);
  if (old.status === 'fulfilled' && next.status === 'fulfilled') {
    return {
      acknowledged: items.length,
      requests: old.value.requests + next.value.requests,
      handedOff: old.value.handedOff + next.value.handedOff,
    };
  }
  const failures = new Map<string, PointFailure>();
  for (const outcome of [old, next]) {
    if (outcome.status === 'fulfilled') continue;
    if (!(outcome.reason instanceof PartialWriteError)) throw outcome.reason;
    for (const failure of outcome.reason.failures) {
      const key = idKey(failure.id);
      if (!failures.has(key)) failures.set(key, failure);
    }
  }
  const list = [...failures.values()];
  const first = list[0] as PointFailure;
  throw new PartialWriteError(
    `\`${operation.name}\` on \`${collection}\` during a migration: ${list.length} of ${items.length} ids were not acknowledged by both owners; first: ${first.error.message}`,
    list,
    items.length - list.length,
    { meta: { operation: operation.name, collection } },
  );
}

/** Reads by id on a view; during a migration the new owners too, the old owner's copy winning. */
export async function getOnView(
  view: MeshView<MeshContext>,
  collection: string,
  items: readonly PreparedItem<PointId>[],
  includeVector: boolean,
  deadline: Deadline,
): Promise<StoredPoint[]> {
  const migration = view.migration;
  if (migration === undefined) {
    return runGet(view.ctx, collection, items, includeVector, deadline);
  }
  const moving = items.filter((item) => ownerChanges(view.topology, migration.topology, item.key));
  const [old, next] = await Promise.all([
    runGet(view.ctx, collection, items, includeVector, deadline),
    moving.length === 0
      ? Promise.resolve([])
      : runGet(migration.ctx, collection, moving, includeVector, deadline),
  ]);
  if (next.length === 0) return old;
  // Dual writes keep the old owner complete, so its copy wins; the new owner fills gaps.
  const found = new Map<string, StoredPoint>();
  for (const point of next) found.set(idKey(point.id), point);
  for (const point of old) found.set(idKey(point.id), point);
  const out: StoredPoint[] = [];
  for (const item of items) {
    const point = found.get(idKey(item.id));
    if (point) out.push(point);
  }
  return out;
}

/**
 * Counts on a view: on the old owners during a migration (dual writes keep them complete). A
 * point copied onto a shard that is also an old owner (a shrink) is counted twice until cutover.
 */
export function countOnView(
  view: MeshView<MeshContext>,
  collection: string,
  filter: FilterNode | undefined,
  deadline: Deadline,
): Promise<number> {
  return runCount(view.ctx, collection, filter, deadline);
}

/**
 * Searches on a view; during a migration also the shards that only the next placement has, the
 * answers merged (an id on both owners appears once).
 */
export async function searchOnView(
  view: MeshView<MeshContext>,
  collection: string,
  spec: CollectionSpec,
  search: PreparedSearch,
  deadline: Deadline,
  partialResults: 'fail' | 'allow',
  span?: OperationSpan,
): Promise<SearchResult> {
  const migration = view.migration;
  const known = new Set(view.topology.clusters.flatMap((c) => c.shards.map((s) => s.id)));
  const added = migration?.topology.clusters.some((c) => c.shards.some((s) => !known.has(s.id)));
  if (migration === undefined || added !== true) {
    return runSearch(view.ctx, collection, spec, search, deadline, partialResults, span);
  }
  // Each side answers its best topK + offset; the merge applies the offset once.
  const wide: PreparedSearch = { ...search, topK: search.topK + search.offset, offset: 0 };
  const [old, next] = await Promise.all([
    runSearch(view.ctx, collection, spec, wide, deadline, partialResults, span),
    runSearch(
      migration.ctx,
      collection,
      spec,
      wide,
      deadline,
      partialResults,
      span,
      (shard) => !known.has(shard.id),
    ),
  ]);
  const hits = search.vectors.map((_, q) =>
    mergeTopK([old.hits[q] ?? [], next.hits[q] ?? []], spec.metric, search.topK, search.offset),
  );
  const missing = [...old.coverage.shardsMissing, ...next.coverage.shardsMissing];
  return {
    hits,
    coverage: {
      cluster: old.coverage.cluster,
      shardsQueried: [...old.coverage.shardsQueried, ...next.coverage.shardsQueried],
      shardsPruned: old.coverage.shardsPruned,
      shardsMissing: missing,
      complete: missing.length === 0,
    },
  };
}

/**
 * Whether an item's owner (by shard NAME, in any cluster) differs between two placements; an
 * item without a shard key (a delete under a payload key) may be anywhere, so it counts.
 */
export function ownerChanges(
  from: Topology,
  to: Topology,
  key: PreparedItem<unknown>['key'],
): boolean {
  if (key === undefined) return true;
  for (const cluster of from.clusters) {
    const other = to.clusters.find((c) => c.name === cluster.name);
    if (other === undefined) return true;
    const before = cluster.shardMap.shardNames[cluster.shardMap.shardFor(key)];
    const after = other.shardMap.shardNames[other.shardMap.shardFor(key)];
    if (before !== after) return true;
  }
  return false;
}
