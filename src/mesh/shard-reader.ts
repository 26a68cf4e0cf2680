/**
 * Reading one shard: walk its query plan with retries (full jitter once every replica has been
 * tried, within the retry budget and the deadline), hedge the first attempt when configured, and
 * with `readConsistency: 'quorum'` ask a majority and hand every answer back for merging.
 *
 * @module
 */
import { ShardUnavailableError, VecmeshError } from '../core/errors.js';
import type { Deadline } from '../resilience/deadline.js';
import { hedged } from '../resilience/hedging.js';
import type { Replica, Shard } from '../backends/backend-topology.js';
import type { MeshContext } from './context.js';
import { tagError } from '../replication/replica-call.js';

/** One call to one replica, with the signal to honour. */
export type ReplicaRead<T> = (replica: Replica, signal: AbortSignal) => Promise<T>;

/**
 * Reads `shard` from one replica, moving along the plan on retryable failures.
 *
 * @throws the first non-retryable error (tagged with the replica); the deadline's
 * `TimeoutError` / `AbortedError`; {@link ShardUnavailableError} when no replica answered.
 */
export async function readShard<T>(
  ctx: MeshContext,
  shard: Shard,
  operation: string,
  deadline: Deadline,
  read: ReplicaRead<T>,
): Promise<T> {
  const plan = ctx.readPlan(shard);
  if (plan.length === 0) throw noReplica(shard, operation, 0);
  const hedgeMs = plan.length > 1 ? ctx.hedgeDelay(shard) : undefined;
  const started = performance.now();
  const attemptOn = (replica: Replica, signal: AbortSignal, attempt: number): Promise<T> =>
    ctx
      .runtime(replica)
      .attempt(
        (attempt) => read(replica, attempt),
        signal,
        ctx.options.attemptTimeout,
        operation,
        'read',
      )
      .catch((error: unknown) => {
        throw tagError(error, replica, operation, deadline, attempt);
      });
  try {
    const result = await ctx.retry.run(
      (n) => {
        const replica = plan[(n - 1) % plan.length] as Replica;
        if (hedgeMs === undefined || n > 1) {
          return deadline.race(attemptOn(replica, deadline.signal, n));
        }
        const backup = plan[1] as Replica;
        return deadline.race(
          hedged(
            (signal) => attemptOn(replica, signal, n),
            (signal) => attemptOn(backup, signal, n),
            hedgeMs,
            deadline.signal,
            () => {
              ctx.events.emit('hedge', { operation, shard: shard.id, replica: backup.id });
            },
          ),
        );
      },
      {
        deadline,
        // The first pass over the plan moves to a fresh replica at once; later passes back off.
        backoffBefore: (n) => n > plan.length,
        onRetry: (info) => {
          ctx.events.emit('retry', {
            operation,
            replica: (plan[(info.attempt - 1) % plan.length] as Replica).id,
            attempt: info.attempt,
            delayMs: info.delayMs,
            error: info.error,
          });
        },
        onBudgetExhausted: () => {
          ctx.events.emit('retry-budget-exhausted', { operation });
        },
      },
    );
    ctx.recordShardLatency(shard, performance.now() - started);
    return result;
  } catch (error) {
    throw finalError(error, shard, operation, deadline, plan.length);
  }
}

/**
 * Reads `shard` from a majority of its replicas (every replica when fewer are available, at
 * least one), in parallel, replacing a failed replica by the next of the plan.
 *
 * @returns one answer per replica that answered (at least a majority).
 * @throws {@link ShardUnavailableError} when fewer than a majority answered.
 */
export async function readShardQuorum<T>(
  ctx: MeshContext,
  shard: Shard,
  operation: string,
  deadline: Deadline,
  read: ReplicaRead<T>,
): Promise<T[]> {
  const plan = ctx.readPlan(shard);
  const need = Math.floor(shard.replicas.length / 2) + 1;
  if (plan.length < need) throw noReplica(shard, operation, plan.length, need);
  let next = need;
  const errors: VecmeshError[] = [];
  const lane = async (replica: Replica): Promise<T | undefined> => {
    for (let current: Replica | undefined = replica; current !== undefined;) {
      const target: Replica = current;
      try {
        return await deadline.race(
          ctx
            .runtime(target)
            .attempt(
              (signal) => read(target, signal),
              deadline.signal,
              ctx.options.attemptTimeout,
              operation,
              'read',
            ),
        );
      } catch (error) {
        const tagged = tagError(error, target, operation, deadline);
        if (!tagged.retryable || deadline.signal.aborted) throw tagged;
        errors.push(tagged);
        current = plan[next++];
      }
    }
    return undefined;
  };
  const answers = await Promise.all(plan.slice(0, need).map(lane));
  const ok = answers.filter((a): a is Awaited<T> => a !== undefined);
  if (ok.length < need) {
    throw new ShardUnavailableError(
      `\`${operation}\`: only ${ok.length} of the ${need} replicas a quorum read needs answered in shard \`${shard.id}\`${errors[0] ? `; last error: ${errors[errors.length - 1]?.message ?? ''}` : ''}`,
      {
        cause: errors[errors.length - 1],
        meta: { operation, cluster: shard.cluster, shard: shard.name },
      },
    );
  }
  return ok;
}

function finalError(
  error: unknown,
  shard: Shard,
  operation: string,
  deadline: Deadline,
  tried: number,
): VecmeshError {
  if (deadline.signal.aborted) {
    return deadline.reason().withMeta({ operation, cluster: shard.cluster, shard: shard.name });
  }
  const tagged =
    error instanceof VecmeshError ? error : tagError(error, shard.primary, operation, deadline);
  if (!tagged.retryable) return tagged;
  return new ShardUnavailableError(
    `\`${operation}\`: no replica of shard \`${shard.id}\` answered (${tried} in the plan); last error: ${tagged.message}`,
    { cause: tagged, meta: { operation, cluster: shard.cluster, shard: shard.name } },
  );
}

function noReplica(shard: Shard, operation: string, have: number, need = 1): ShardUnavailableError {
  return new ShardUnavailableError(
    `\`${operation}\`: shard \`${shard.id}\` has ${have} available replica(s), ${need} needed (breakers open or health probes failing)`,
    { meta: { operation, cluster: shard.cluster, shard: shard.name } },
  );
}
