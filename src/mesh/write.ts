/**
 * The write path: route validated items to shards in the clusters that take writes, split each
 * shard's items into chunks that fit the backends' limits, send the chunks in parallel under a
 * concurrency limit, hand off what a replica missed as hints, and report exactly which ids were
 * not acknowledged.
 *
 * @module
 */
import { settleWithLimit } from '../core/concurrency.js';
import {
  PartialWriteError,
  UnavailableError,
  VecmeshError,
  type PointFailure,
} from '../core/errors.js';
import { idKey } from '../core/ids.js';
import type { Deadline } from '../resilience/deadline.js';
import type { Cluster, Replica, Shard } from '../backends/backend-topology.js';
import type { MeshContext } from './context.js';
import type { HintInput } from '../replication/hints/hint-store.js';
import type { WriteConsistency } from './options.js';
import type { OperationSpan } from '../tracing/mesh-tracer.js';
import type { PreparedItem } from './prepare-batch.js';
import { requiredAcks, tagError } from '../replication/replica-call.js';

/** What a successful write reports. */
export interface WriteResult {
  /** Ids acknowledged (all of the batch, or the call would have thrown). */
  readonly acknowledged: number;
  /** Requests sent to replicas, counting one per chunk and replica written directly. */
  readonly requests: number;
  /**
   * Chunk copies handed off as hints before the call returned (replayed later), including the
   * copies queued behind the backlog of replicas that were catching up. A replica still
   * answering when the consistency level was met gets its hint after the call returns.
   */
  readonly handedOff: number;
}

/** How a write reaches a replica and how it is kept as a hint. */
export interface WriteOperation<T> {
  /** `upsert` or `delete`. */
  readonly name: 'upsert' | 'delete';
  /** Sends one chunk to one replica. */
  send(replica: Replica, physicalName: string, values: T[], signal: AbortSignal): Promise<void>;
  /** The hint that replays the chunk. */
  hint(physicalName: string, values: T[]): HintInput;
}

/** One request's worth of items for one shard. */
interface Chunk<T> {
  readonly shard: Shard;
  readonly items: readonly PreparedItem<T>[];
}

/** How one chunk ended in its cluster. */
type ChunkOutcome =
  | { readonly status: 'acknowledged' }
  | { readonly status: 'handed-off' }
  | { readonly status: 'failed'; readonly error: VecmeshError };

/**
 * Routes, chunks and sends a validated batch.
 *
 * An id is acknowledged when, in at least one cluster, every chunk that carried it reached the
 * consistency level, and in every other written cluster it was either acknowledged too or handed
 * off as hints to each replica that missed it (`mirror`). Replicas that missed an acknowledged
 * chunk get a hint, so that nothing acknowledged is lost on them.
 *
 * @throws {@link PartialWriteError} listing each id that was not acknowledged, with its reason.
 */
export async function runWrite<T>(
  ctx: MeshContext,
  collection: string,
  items: readonly PreparedItem<T>[],
  consistency: WriteConsistency,
  deadline: Deadline,
  operation: WriteOperation<T>,
  span?: OperationSpan,
): Promise<WriteResult> {
  const counters = { requests: 0, handedOff: 0 };
  if (items.length === 0) return { acknowledged: 0, ...counters };
  const clusters = writeClusters(ctx);
  const chunks = clusters.flatMap((cluster) => planChunks(ctx, cluster, items));
  const outcomes = await settleWithLimit(chunks, ctx.options.batch.concurrency, (chunk) => {
    const write = () =>
      writeChunk(ctx, collection, chunk, consistency, deadline, operation, counters);
    return span === undefined
      ? write()
      : span.shard({ cluster: chunk.shard.cluster, shard: chunk.shard.name }, write);
  });

  // Per id: acknowledged somewhere, and failed nowhere.
  const acknowledged = new Set<string>();
  const failed = new Map<string, PointFailure>();
  outcomes.forEach((settled, i) => {
    const chunk = chunks[i] as Chunk<T>;
    const outcome: ChunkOutcome = settled.ok
      ? settled.value
      : {
          status: 'failed',
          error: tagError(settled.error, chunk.shard.primary, operation.name, deadline),
        };
    for (const item of chunk.items) {
      const key = idKey(item.id);
      if (outcome.status === 'acknowledged') acknowledged.add(key);
      else if (outcome.status === 'failed' && !failed.has(key)) {
        failed.set(key, { id: item.id, error: outcome.error });
      }
    }
  });
  const failures: PointFailure[] = [];
  for (const item of items) {
    const key = idKey(item.id);
    const failure = failed.get(key);
    if (failure) failures.push(failure);
    else if (!acknowledged.has(key)) {
      failures.push({
        id: item.id,
        error: new UnavailableError(
          'no cluster acknowledged it; it was handed off as hints to the replicas that missed it',
        ),
      });
    }
  }
  if (failures.length > 0) {
    const first = failures[0] as PointFailure;
    throw new PartialWriteError(
      `\`${operation.name}\` on \`${collection}\`: ${failures.length} of ${items.length} ids were not acknowledged at consistency '${String(consistency)}'; first: ${first.error.message}`,
      failures,
      items.length - failures.length,
      { meta: { operation: operation.name, collection } },
    );
  }
  return { acknowledged: items.length, ...counters };
}

/** Every cluster (`mirror`), or the first one by priority that can serve every shard. */
function writeClusters(ctx: MeshContext): readonly Cluster[] {
  const clusters = ctx.topology().clusters;
  if (ctx.options.replication.clusters === 'mirror') return clusters;
  return [clusters.find((c) => ctx.canServe(c)) ?? (clusters[0] as Cluster)];
}

/**
 * Writes one chunk in its cluster. `leaderless`: every replica, acknowledged at `consistency`;
 * `primary`: the primary, the secondaries through hints. A replica that is catching up (hints
 * pending) takes the chunk directly too and counts towards `consistency`; the hint manager keeps
 * its replay from overwriting the chunk (`HintManager.superseded`).
 *
 * The chunk is acknowledged as soon as `consistency` is met: a replica that is still slow then
 * does not hold the caller; if it fails later, it gets the chunk as a hint (tracked by the hint
 * manager, so that `close()` waits for it).
 */
async function writeChunk<T>(
  ctx: MeshContext,
  collection: string,
  chunk: Chunk<T>,
  consistency: WriteConsistency,
  deadline: Deadline,
  operation: WriteOperation<T>,
  counters: { requests: number; handedOff: number },
): Promise<ChunkOutcome> {
  deadline.throwIfAborted();
  const { shard } = chunk;
  const values = chunk.items.map((item) => item.value);
  const primaryMode = ctx.options.replication.mode === 'primary';
  const required = primaryMode ? 1 : requiredAcks(consistency, shard.replicas.length);
  // Replicas being filled take every write too, but count toward no acknowledgement.
  const fillers = ctx.fillers(shard);
  const targets = fillers.length === 0 ? shard.replicas : [...shard.replicas, ...fillers];
  const direct = primaryMode ? [shard.primary] : targets;
  const hintOf = (replica: Replica): HintInput =>
    operation.hint(ctx.physicalName(collection, replica), values);
  const sends = direct.map((replica): Promise<ReplicaAnswer> => {
    counters.requests++;
    // The mark of a catching-up replica is taken before the write is sent (see superseded()).
    const mark = ctx.hints.hasBacklog(replica) ? ctx.hints.mark(replica) : undefined;
    return writeReplica(ctx, replica, operation.name, deadline, (signal) =>
      operation.send(replica, ctx.physicalName(collection, replica), values, signal),
    ).then(
      () => ({ replica, mark, error: undefined }),
      (error: unknown) => ({
        replica,
        mark,
        error: tagError(error, replica, operation.name, deadline),
      }),
    );
  });
  const answered = await firstAnswers(sends, (answers) => {
    let acks = 0;
    for (const a of answers) if (a.error === undefined && !fillers.includes(a.replica)) acks++;
    return acks >= required;
  });

  const acked = new Set<Replica>();
  const failures: ReplicaFailure[] = [];
  let counted = 0;
  let worst: VecmeshError | undefined;
  let allKept = true;
  for (const answer of answered) {
    const { replica, error } = answer;
    if (error === undefined) {
      acked.add(replica);
      if (!fillers.includes(replica)) counted++;
      if (!(await afterDirectWrite(ctx, answer, hintOf, counters))) allKept = false;
    } else {
      failures.push({ replica, error });
      if (worst === undefined || (worst.retryable && !error.retryable)) worst = error;
    }
  }
  // Replicas still writing: they settle in the background, and get a hint if they fail.
  const answeredReplicas = new Set(answered.map((a) => a.replica));
  const stillWriting = new Set(direct.filter((replica) => !answeredReplicas.has(replica)));
  const late = sends.filter((_, i) => stillWriting.has(direct[i] as Replica));
  if (late.length > 0) {
    ctx.hints.trackStraggler(
      Promise.all(
        late.map(async (send) => {
          await afterDirectWrite(ctx, await send, hintOf, counters).catch(() => false);
        }),
      ).then(() => undefined),
    );
  }

  // Replicas that did not take the chunk directly get it as a hint, if the chunk counts.
  const missed = targets.filter((replica) => !acked.has(replica) && !stillWriting.has(replica));
  const enough = counted >= required;
  const otherClusterMayAck =
    ctx.options.replication.clusters === 'mirror' && ctx.topology().clusters.length > 1;
  if (!enough && (!otherClusterMayAck || worst?.retryable === false || deadline.signal.aborted)) {
    return {
      status: 'failed',
      error: belowConsistency(shard, operation.name, counted, required, failures, worst),
    };
  }
  for (const replica of missed) {
    if (await ctx.hints.handOff(replica, hintOf(replica))) {
      counters.handedOff++;
      ctx.hints.kick(replica.id);
    } else allKept = false;
  }
  if (enough) return { status: 'acknowledged' };
  // Mirror mode: this cluster is down for the shard; the hints carry the write to it later.
  return allKept
    ? { status: 'handed-off' }
    : {
        status: 'failed',
        error: belowConsistency(shard, operation.name, counted, required, failures, worst),
      };
}

/** How one replica answered a chunk; `mark` is set when it was catching up. */
interface ReplicaAnswer {
  readonly replica: Replica;
  readonly mark: number | undefined;
  readonly error: VecmeshError | undefined;
}

/**
 * Resolves with the answers settled so far as soon as `enough(answers)` holds, or with all of
 * them once every promise has settled. The promises never reject.
 */
function firstAnswers<A>(
  promises: readonly Promise<A>[],
  enough: (answers: readonly A[]) => boolean,
): Promise<A[]> {
  return new Promise((resolve) => {
    const answers: A[] = [];
    if (promises.length === 0) resolve(answers);
    let done = false;
    for (const promise of promises) {
      void promise.then((answer) => {
        if (done) return;
        answers.push(answer);
        if (answers.length === promises.length || enough(answers)) {
          done = true;
          resolve(answers.slice());
        }
      });
    }
  });
}

/**
 * What follows a replica's answer: a catching-up replica that took the write has its older
 * hints superseded; a replica that failed gets the write as a hint, and its replay is kicked.
 *
 * @returns Whether every hint needed was stored (false: the store overflowed; repair needed).
 */
async function afterDirectWrite(
  ctx: MeshContext,
  answer: ReplicaAnswer,
  hintOf: (replica: Replica) => HintInput,
  counters: { handedOff: number },
): Promise<boolean> {
  const { replica, mark, error } = answer;
  if (error === undefined && mark === undefined) return true;
  const stored =
    error === undefined
      ? await ctx.hints.superseded(replica, mark as number, hintOf(replica))
      : await ctx.hints.handOff(replica, hintOf(replica));
  if (stored) counters.handedOff++;
  if (stored && error !== undefined) ctx.hints.kick(replica.id);
  return stored;
}

/** A replica that did not take a chunk, and why. */
interface ReplicaFailure {
  readonly replica: Replica;
  readonly error: VecmeshError;
}

/** One replica write with retries on that replica (backoff each time), through its breaker. */
function writeReplica(
  ctx: MeshContext,
  replica: Replica,
  operation: string,
  deadline: Deadline,
  send: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const runtime = ctx.runtime(replica);
  return ctx.retry.run(
    (attempt) =>
      deadline
        .race(
          runtime.attempt(send, deadline.signal, ctx.options.attemptTimeout, operation, 'write'),
        )
        .catch((error: unknown) => {
          throw tagError(error, replica, operation, deadline, attempt);
        }),
    {
      deadline,
      onRetry: (info) => {
        ctx.events.emit('retry', {
          operation,
          replica: replica.id,
          attempt: info.attempt,
          delayMs: info.delayMs,
          error: info.error,
        });
      },
    },
  );
}

/**
 * The error of a chunk that did not reach its consistency level. One failed replica: its own
 * (tagged) error. Several: the first that is not retryable if there is one (its type tells the
 * caller not to retry), else a `PartialWriteError` whose message names every replica that
 * failed and why. None (too few replicas were asked): a `PartialWriteError` saying so.
 */
function belowConsistency(
  shard: Shard,
  operation: string,
  acked: number,
  required: number,
  failures: readonly ReplicaFailure[],
  worst: VecmeshError | undefined,
): VecmeshError {
  if (worst !== undefined && (failures.length === 1 || !worst.retryable)) return worst;
  const named = failures.map((f) => `\`${f.replica.id}\` (${f.error.message})`).join(', ');
  return new PartialWriteError(
    `shard \`${shard.id}\`: ${acked} of the ${required} acknowledgements needed${named === '' ? '' : `; failed: ${named}`}`,
    [],
    0,
    {
      meta: { operation, cluster: shard.cluster, shard: shard.name },
      ...(worst === undefined ? {} : { cause: worst }),
    },
  );
}

/** Groups items by shard and splits each group to fit the points and bytes limits. */
function planChunks<T>(
  ctx: MeshContext,
  cluster: Cluster,
  items: readonly PreparedItem<T>[],
): Chunk<T>[] {
  const chunks: Chunk<T>[] = [];
  const groups = cluster.shards.map((): PreparedItem<T>[] => []);
  for (const item of items) {
    if (item.key === undefined) {
      for (const group of groups) group.push(item);
    } else {
      groups[cluster.shardMap.shardFor(item.key)]?.push(item);
    }
  }
  cluster.shards.forEach((shard, i) => {
    const group = groups[i] as PreparedItem<T>[];
    if (group.length === 0) return;
    const maxPoints = Math.min(
      ctx.options.batch.maxPoints,
      ...shard.replicas.map((r) => r.backend.capabilities.maxPointsPerRequest),
    );
    const maxBytes = Math.min(
      ctx.options.batch.maxBytes,
      ...shard.replicas.map((r) => r.backend.capabilities.maxBytesPerRequest),
    );
    let current: PreparedItem<T>[] = [];
    let bytes = 0;
    for (const item of group) {
      // A single item larger than the byte limit still goes alone; the backend will judge it.
      if (current.length > 0 && (current.length >= maxPoints || bytes + item.bytes > maxBytes)) {
        chunks.push({ shard, items: current });
        current = [];
        bytes = 0;
      }
      current.push(item);
      bytes += item.bytes;
    }
    if (current.length > 0) chunks.push({ shard, items: current });
  });
  return chunks;
}
