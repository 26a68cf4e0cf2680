/**
 * What a topology change changes, and the refusals that keep it safe: `updateTopology` may only
 * add, remove or re-weight replicas; `reshard` may only change the shard lists and the sharding
 * options. Every check runs before anything is connected, copied or installed.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { TopologyChangeError } from '../core/errors.js';
import type { Replica, Shard, Topology } from '../backends/backend-topology.js';

/** Replicas added and removed by an `updateTopology`, and the shards they belong to. */
export interface ReplicaDiff {
  /** Replicas of `next` that the current topology lacks. */
  readonly added: readonly Replica[];
  /** Replicas of the current topology that `next` lacks. */
  readonly removed: readonly Replica[];
  /** Whether anything changes at all (re-weights and role changes count). */
  readonly changed: boolean;
}

/** Whether two replicas are the same copy: same id, backend object and namespace. */
export function sameReplica(a: Replica, b: Replica): boolean {
  return a.id === b.id && a.backend === b.backend && a.namespace === b.namespace;
}

/**
 * Checks that `next` changes only replicas of existing shards, and that every shard keeps at
 * least one of its current replicas (its data lives there).
 *
 * @throws {@link TopologyChangeError} for a cluster added or removed, a change of shard names,
 *   order or sharding options (keys would move: use `reshard`), a replica that changes its
 *   backend or namespace under the same name, or a shard left with no current replica.
 */
export function diffReplicas(current: Topology, next: Topology): ReplicaDiff {
  sameClusters(current, next);
  if (!sameSharding(current, next) || !sameShardLists(current, next)) {
    throw new TopologyChangeError(
      'the shard names, their order or the sharding options change, so keys would move to other shards; use `mesh.reshard(next)` for that (updateTopology only adds, removes or re-weights replicas)',
    );
  }
  const added: Replica[] = [];
  const removed: Replica[] = [];
  const flags = { changed: false };
  for (const cluster of current.clusters) {
    const other = next.clusters.find((c) => c.name === cluster.name) as Topology['clusters'][0];
    cluster.shards.forEach((shard, i) => {
      const nextShard = other.shards[i] as Shard;
      let kept = 0;
      for (const replica of shard.replicas) {
        const match = nextShard.replicas.find((r) => r.id === replica.id);
        if (match === undefined) {
          removed.push(replica);
          continue;
        }
        if (!sameReplica(replica, match)) {
          throw new TopologyChangeError(
            `replica \`${replica.id}\` changes its backend or namespace; remove it in one \`updateTopology\` and add the new copy in another (or under another name)`,
          );
        }
        kept++;
        if (match.weight !== replica.weight || match.role !== replica.role) flags.changed = true;
        if (match.index !== replica.index) flags.changed = true;
      }
      if (kept === 0) {
        throw new TopologyChangeError(
          `the change would lose shard \`${shard.id}\`'s data: none of its current replicas (${shard.replicas.map((r) => r.name).join(', ')}) is kept; keep at least one until the new ones are filled`,
        );
      }
      for (const replica of nextShard.replicas) {
        if (!shard.replicas.some((r) => r.id === replica.id)) added.push(replica);
      }
    });
  }
  return {
    added,
    removed,
    changed: flags.changed || added.length > 0 || removed.length > 0,
  };
}

/**
 * Checks that `next` is a reshard of `current`: same clusters, same shard key, and every shard
 * that keeps its name keeps its replicas (replica changes go through `updateTopology`).
 *
 * @returns Whether the placement changes at all (shard names, order or sharding options).
 * @throws {@link TopologyChangeError} naming what is not allowed.
 */
export function checkReshard(current: Topology, next: Topology): boolean {
  sameClusters(current, next);
  if (JSON.stringify(current.sharding.key) !== JSON.stringify(next.sharding.key)) {
    throw new TopologyChangeError(
      'the shard key changes; a reshard keeps the shard key (every point would need its key read again), change only the shard lists and the strategy options',
    );
  }
  for (const cluster of current.clusters) {
    const other = next.clusters.find((c) => c.name === cluster.name) as Topology['clusters'][0];
    for (const shard of cluster.shards) {
      const kept = other.shards.find((s) => s.name === shard.name);
      if (kept === undefined) continue;
      const same =
        kept.replicas.length === shard.replicas.length &&
        shard.replicas.every((r) => kept.replicas.some((k) => sameReplica(r, k)));
      if (!same) {
        throw new TopologyChangeError(
          `shard \`${shard.id}\` is kept but its replicas change; a reshard keeps the replicas of kept shards (change them with \`updateTopology\` before or after)`,
        );
      }
    }
  }
  return !(sameSharding(current, next) && sameShardLists(current, next));
}

/**
 * A stable fingerprint of a migration: both placements (shard names, replicas' backends and
 * namespaces, sharding options) and the collections it moves.
 */
export function migrationFingerprint(
  from: Topology,
  to: Topology,
  collections: readonly string[],
): string {
  const placement = (t: Topology) => ({
    sharding: t.sharding,
    clusters: t.clusters.map((c) => ({
      name: c.name,
      shards: c.shards.map((s) => ({
        name: s.name,
        replicas: s.replicas.map((r) => [
          r.name,
          `${r.backend.kind} ${r.backend.endpoint}`,
          r.namespace ?? '',
        ]),
      })),
    })),
  });
  const text = JSON.stringify({ from: placement(from), to: placement(to), collections });
  return createHash('sha256').update(text).digest('hex');
}

/**
 * What consistent hashing promises for the change: `1/(n+1)` of the keys move when one shard is
 * added to `n` (or one of `n+1` removed) under `consistent-hash` or `rendezvous` (any shard) or
 * `jump` (the last shard), the other shards kept; `null` for any other change.
 */
export function expectedMovedFraction(from: Topology, to: Topology): number | null {
  if (from.clusters.length !== 1 || JSON.stringify(from.sharding) !== JSON.stringify(to.sharding)) {
    return null;
  }
  const strategy = from.sharding.strategy;
  if (strategy !== 'consistent-hash' && strategy !== 'rendezvous' && strategy !== 'jump') {
    return null;
  }
  const a = (from.clusters[0] as Topology['clusters'][0]).shards.map((s) => s.name);
  const b = (to.clusters[0] as Topology['clusters'][0]).shards.map((s) => s.name);
  const [small, large] = a.length < b.length ? [a, b] : [b, a];
  if (large.length !== small.length + 1) return null;
  const prefix = small.every((name, i) => large[i] === name);
  const subset = small.every((name) => large.includes(name));
  if (strategy === 'jump' ? !prefix : !subset) return null;
  return 1 / large.length;
}

function sameClusters(current: Topology, next: Topology): void {
  const a = current.clusters.map((c) => c.name).sort();
  const b = next.clusters.map((c) => c.name).sort();
  if (a.length !== b.length || a.some((name, i) => name !== b[i])) {
    throw new TopologyChangeError(
      `the clusters change (now ${a.join(', ')}; next ${b.join(', ')}); adding or removing clusters is not supported yet`,
    );
  }
}

function sameSharding(current: Topology, next: Topology): boolean {
  return JSON.stringify(current.sharding) === JSON.stringify(next.sharding);
}

function sameShardLists(current: Topology, next: Topology): boolean {
  return current.clusters.every((cluster) => {
    const other = next.clusters.find((c) => c.name === cluster.name);
    return (
      other !== undefined &&
      other.shards.length === cluster.shards.length &&
      other.shards.every((s, i) => s.name === cluster.shards[i]?.name)
    );
  });
}
