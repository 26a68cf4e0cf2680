/**
 * Replication options: the scheme, the write and read consistency levels, and writes across
 * clusters; what callers pass and the validated form.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../core/errors.js';
import { optionChoice, optionObject, rejectUnknownKeys } from '../core/options.js';

/**
 * How many replicas of a shard must acknowledge a write before it counts as done: `one`, a
 * majority (`quorum`), `all`, or an exact number (at most the smallest replica count of a shard).
 */
export type WriteConsistency = 'one' | 'quorum' | 'all' | number;

/** How many replicas of a shard a read asks and merges. */
export type ReadConsistency = 'one' | 'quorum';

/**
 * Replication schemes as configuration:
 * - `leaderless` (multi-master): every write goes to every replica and is acknowledged at
 *   `writeConsistency`; replicas that miss it get a hint.
 * - `primary` (master-slave): the write is acknowledged by the shard's primary; the secondaries
 *   receive it through hints, asynchronously; reads go to the secondaries unless `readYourWrites`.
 *
 * A cluster that runs consensus inside (a Milvus or Qdrant cluster) is one replica to vecmesh.
 */
export type ReplicationMode = 'leaderless' | 'primary';

/**
 * Writes across clusters: `mirror` writes every cluster (each at its own consistency; replicas
 * that miss a write get hints), `primary-cluster` writes only the preferred cluster that can take
 * it (for databases that replicate across regions themselves).
 */
export type ClusterWriteMode = 'mirror' | 'primary-cluster';

/** Replication settings. */
export interface ReplicationOptions {
  /**
   * Replication scheme.
   * @default 'leaderless'
   */
  mode?: ReplicationMode;
  /**
   * Replicas per shard that must acknowledge a write: `one`, a majority (`quorum`), or `all`.
   * Every replica is written either way; this only says when the write counts as done.
   * @default 'quorum'
   */
  writeConsistency?: WriteConsistency;
  /**
   * Replicas per shard a read asks: `one`, or a majority whose answers are merged (a point
   * missing from one replica is still found).
   * @default 'one'
   */
  readConsistency?: ReadConsistency;
  /**
   * In `primary` mode, read from the primary so that a write is visible to the next read.
   * @default false
   */
  readYourWrites?: boolean;
  /**
   * Writes across clusters.
   * @default 'mirror'
   */
  clusters?: ClusterWriteMode;
}

/** Resolved replication settings. */
export interface ResolvedReplicationOptions {
  /** Replication scheme. */
  readonly mode: ReplicationMode;
  /** Write acknowledgement level. */
  readonly writeConsistency: WriteConsistency;
  /** Read fan-out per shard. */
  readonly readConsistency: ReadConsistency;
  /** Primary mode: read the primary. */
  readonly readYourWrites: boolean;
  /** Writes across clusters. */
  readonly clusters: ClusterWriteMode;
}

/**
 * Validates the `replication` option and fills in its defaults.
 *
 * @param input - What the caller passed as `replication` (or undefined).
 * @returns Frozen settings.
 * @throws {@link InvalidOptionError} naming the bad `replication.*` key.
 * @example
 * ```ts
 * resolveReplication({ writeConsistency: 'all' }).mode; // 'leaderless'
 * ```
 */
export function resolveReplication(input: unknown): ResolvedReplicationOptions {
  const raw = optionObject(input ?? {}, 'replication');
  rejectUnknownKeys(raw, 'replication', [
    'mode',
    'writeConsistency',
    'readConsistency',
    'readYourWrites',
    'clusters',
  ]);
  const consistency = raw.writeConsistency ?? 'quorum';
  if (!(
    consistency === 'one' ||
    consistency === 'quorum' ||
    consistency === 'all' ||
    (typeof consistency === 'number' && Number.isInteger(consistency) && consistency >= 1)
  )) {
    throw new InvalidOptionError(
      `\`replication.writeConsistency\` must be 'one', 'quorum', 'all' or an integer >= 1, received ${describeValue(consistency)}`,
    );
  }
  if (raw.readYourWrites !== undefined && typeof raw.readYourWrites !== 'boolean') {
    throw new InvalidOptionError(
      `\`replication.readYourWrites\` must be a boolean, received ${describeValue(raw.readYourWrites)}`,
    );
  }
  return Object.freeze({
    mode: optionChoice(raw.mode, 'replication.mode', 'leaderless', [
      'leaderless',
      'primary',
    ] as const),
    writeConsistency: consistency,
    readConsistency: optionChoice(raw.readConsistency, 'replication.readConsistency', 'one', [
      'one',
      'quorum',
    ] as const),
    readYourWrites: raw.readYourWrites ?? false,
    clusters: optionChoice(raw.clusters, 'replication.clusters', 'mirror', [
      'mirror',
      'primary-cluster',
    ] as const),
  });
}
