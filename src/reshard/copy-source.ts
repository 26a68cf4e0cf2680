/**
 * Which replica a copy (fill or migration) may read from: one that holds every write
 * acknowledged so far. A replica with pending hints missed some writes that the others
 * acknowledged; copying its stale value over a target that took the newer write directly would
 * lose that write. So a copy reads only from a replica that is available, has no pending hints
 * and is not marked for repair, after replaying what is pending when none qualifies.
 *
 * Called inside the copy gate, where no live write on the batch's ids is in flight: every write
 * that finished before has either reached the replica or left a hint for it.
 *
 * @module
 */
import { UnavailableError } from '../core/errors.js';
import type { Replica, Shard } from '../backends/backend-topology.js';
import type { TopologyHost } from './host.js';

/**
 * Whether `replica` holds every acknowledged write: available, no pending hints, not marked for
 * repair (its hints overflowed).
 */
export function isCaughtUp(host: TopologyHost, replica: Replica): boolean {
  return (
    host.registry.runtime(replica).available &&
    !host.hints.hasBacklog(replica) &&
    !host.hints.store.needsRepair(replica.id)
  );
}

/**
 * A replica among `candidates` that holds every acknowledged write, `preferred` first. When none
 * does, pending hints are replayed once and the candidates looked at again.
 *
 * @param host - The mesh.
 * @param candidates - Replicas of one shard, best first.
 * @param shard - The shard the candidates hold (named in the error).
 * @param preferred - Tried first (a scan cursor is only valid on the replica that gave it).
 * @returns The replica to read from.
 * @throws {@link UnavailableError} (retryable) when no candidate can be brought up to date: the
 *   copy stops, and can be resumed once the replicas are back.
 * @example
 * ```ts
 * const source = await caughtUpReplica(host, shard.replicas, shard);
 * ```
 */
export async function caughtUpReplica(
  host: TopologyHost,
  candidates: readonly Replica[],
  shard: Shard,
  preferred?: Replica,
): Promise<Replica> {
  const ordered = preferred === undefined ? candidates : [preferred, ...candidates];
  const pick = (): Replica | undefined => ordered.find((r) => isCaughtUp(host, r));
  const ready = pick();
  if (ready !== undefined) return ready;
  for (const replica of ordered) host.hints.kick(replica.id);
  await host.hints.settled();
  const caughtUp = pick();
  if (caughtUp !== undefined) return caughtUp;
  throw new UnavailableError(
    `no replica of shard \`${shard.id}\` holds every acknowledged write (each is down, has hints pending, or needs repair), so nothing can be copied from it safely; the copy stops and can be resumed once a replica is back`,
    { meta: { cluster: shard.cluster, shard: shard.name } },
  );
}
