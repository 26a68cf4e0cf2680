/**
 * How a migration's copy writes: the points that change owner go through the client's ordinary
 * write path (every replica of the new owner, the mesh's consistency, hints for replicas that
 * miss it), so that a moved point is as durable as one the caller wrote.
 *
 * @module
 */
import type { Point } from '../core/types.js';
import { Deadline } from '../resilience/deadline.js';
import type { MovedPoint } from '../reshard/host.js';
import type { WriteConsistency } from '../replication/replication-options.js';
import type { MeshContext } from './context.js';
import { pointBytes } from '../core/point-size.js';
import type { PreparedItem } from './prepare-batch.js';
import { runWrite, type WriteOperation } from './write.js';

const UPSERT: WriteOperation<Point> = {
  name: 'upsert',
  send: (replica, name, points, signal) => replica.backend.upsert(name, points, { signal }),
  hint: (collection, points) => ({ collection, op: 'upsert', points }),
};

/**
 * Upserts moved points through the write path of `ctx` (bound to the new placement), under a
 * deadline of its own: the caller's signal stops a migration between pages, never inside one.
 *
 * @param ctx - The operation context bound to the target placement.
 * @param collection - The logical collection name.
 * @param points - The moved points with their shard keys.
 * @param consistency - The mesh's write consistency.
 * @param timeoutMs - The mesh's per-operation deadline.
 * @throws `PartialWriteError` naming each id not acknowledged.
 * @example
 * ```ts
 * await writeMoved(bind(target), 'docs', moving, 'quorum', 2000);
 * ```
 */
export async function writeMoved(
  ctx: MeshContext,
  collection: string,
  points: readonly MovedPoint[],
  consistency: WriteConsistency,
  timeoutMs: number,
): Promise<void> {
  const items: PreparedItem<Point>[] = points.map(({ point, key }) => ({
    id: point.id,
    key,
    bytes: pointBytes(point),
    value: point,
  }));
  const deadline = new Deadline(timeoutMs, 'reshard');
  try {
    await runWrite(ctx, collection, items, consistency, deadline, UPSERT);
  } finally {
    deadline.dispose();
  }
}
