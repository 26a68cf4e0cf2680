/**
 * The options of `openStore`, checked and resolved to their defaults.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../../core/errors.js';
import { optionInteger, optionObject, rejectUnknownKeys } from '../../core/options.js';
import type { RecoveryReport, SnapshotEvent } from './store-contract.js';

/** The default log size that triggers a snapshot: 64 MiB. */
export const DEFAULT_SNAPSHOT_EVERY_BYTES = 64 * 1024 * 1024;

/** The default age of the oldest record not in a snapshot that triggers one: 60 s. */
export const DEFAULT_SNAPSHOT_MAX_AGE_MS = 60_000;

/** The longest `snapshotMaxAgeMs` (what a timer can wait: about 24.8 days). */
export const MAX_SNAPSHOT_MAX_AGE_MS = 2_147_483_647;

/** Options of `openStore`. */
export interface StoreOptions {
  /**
   * The data directory (created with its parents when missing). The store owns it: a
   * write-ahead log `wal.log`, a `manifest` and `snap-*` snapshot files. One open store per
   * directory: the store takes no lock, so a second process writing the same directory would
   * corrupt it. `undefined` keeps everything in memory only (no log, no snapshots).
   * @default undefined
   */
  dir?: string;
  /**
   * Flush every write's log record to disk (`fdatasync`) before its promise resolves; writes
   * that arrive while a flush is running share the next one (group commit). Off, a write
   * resolves once the operating system has it: a crash of the process loses nothing, a crash of
   * the machine may lose the last writes.
   * @default true
   */
  fsync?: boolean;
  /**
   * Once the log holds this many bytes of records, snapshot every changed collection and
   * truncate the log, in the background (also done on `close()`). A snapshot rewrites each
   * changed collection whole and holds writes back while it runs; a start after a crash reads
   * the log since the last snapshot (about 1 s per 64 MiB) and indexes its points in the
   * background. Integer, at least 1.
   * @default 67108864 (64 MiB)
   */
  snapshotEveryBytes?: number;
  /**
   * Snapshot in the background once the oldest log record that no snapshot holds is this old,
   * in milliseconds, however small the log: a node that took a burst of writes and then little
   * does not leave them to the log for good. `0` turns this off. Integer from 0 to 2147483647.
   * @default 60000 (60 s)
   */
  snapshotMaxAgeMs?: number;
  /**
   * Told once at the end of `openStore` what was loaded and replayed, and what was dropped from a
   * torn or damaged log tail. Errors it throws are ignored.
   * @default none
   */
  onRecovery?: (report: RecoveryReport) => void;
  /**
   * Told after every snapshot the store wrote, or tried to: why, what it covers, how long it
   * took, and the error when it failed. Errors it throws are ignored.
   * @default none
   */
  onSnapshot?: (event: SnapshotEvent) => void;
}

/** {@link StoreOptions} with every default filled in. */
export interface ResolvedStoreOptions {
  /** The data directory, or `undefined` for memory only. */
  readonly dir: string | undefined;
  /** Flush records to disk before a write resolves. */
  readonly fsync: boolean;
  /** Log bytes that trigger a snapshot. */
  readonly snapshotEveryBytes: number;
  /** Age of the oldest unsnapshotted record that triggers a snapshot; 0 for never. */
  readonly snapshotMaxAgeMs: number;
  /** The recovery callback, or `undefined`. */
  readonly onRecovery: ((report: RecoveryReport) => void) | undefined;
  /** The snapshot callback, or `undefined`. */
  readonly onSnapshot: ((event: SnapshotEvent) => void) | undefined;
}

const KEYS = ['dir', 'fsync', 'snapshotEveryBytes', 'snapshotMaxAgeMs', 'onRecovery', 'onSnapshot'];
const NAME = 'store options';

/**
 * Checks the options of `openStore` and fills in the defaults.
 *
 * @param options - What the caller passed.
 * @default options.fsync true
 * @default options.snapshotEveryBytes 64 MiB
 * @default options.snapshotMaxAgeMs 60000
 * @returns The resolved options.
 * @throws {@link InvalidOptionError} when an option is unknown or has the wrong type or range.
 * @example
 * ```ts
 * resolveStoreOptions({ dir: './data' }).snapshotEveryBytes; // 67108864
 * resolveStoreOptions({ snapshotMaxAgeMs: 0 }).snapshotMaxAgeMs; // 0: no snapshots by age
 * resolveStoreOptions({ fsync: 'yes' }); // throws InvalidOptionError
 * ```
 */
export function resolveStoreOptions(options: unknown): ResolvedStoreOptions {
  const obj = optionObject(options ?? {}, NAME);
  rejectUnknownKeys(obj, NAME, KEYS);
  const { dir, fsync, onRecovery, onSnapshot } = obj;
  if (dir !== undefined && (typeof dir !== 'string' || dir.length === 0)) {
    throw new InvalidOptionError(
      `\`${NAME}.dir\` must be a non-empty string or undefined, received ${describeValue(dir)}`,
    );
  }
  if (fsync !== undefined && typeof fsync !== 'boolean') {
    throw new InvalidOptionError(
      `\`${NAME}.fsync\` must be a boolean, received ${describeValue(fsync)}`,
    );
  }
  if (onRecovery !== undefined && typeof onRecovery !== 'function') {
    throw new InvalidOptionError(
      `\`${NAME}.onRecovery\` must be a function, received ${describeValue(onRecovery)}`,
    );
  }
  if (onSnapshot !== undefined && typeof onSnapshot !== 'function') {
    throw new InvalidOptionError(
      `\`${NAME}.onSnapshot\` must be a function, received ${describeValue(onSnapshot)}`,
    );
  }
  return {
    dir,
    fsync: fsync ?? true,
    snapshotEveryBytes: optionInteger(
      obj['snapshotEveryBytes'],
      `${NAME}.snapshotEveryBytes`,
      DEFAULT_SNAPSHOT_EVERY_BYTES,
      1,
    ),
    snapshotMaxAgeMs: optionInteger(
      obj['snapshotMaxAgeMs'],
      `${NAME}.snapshotMaxAgeMs`,
      DEFAULT_SNAPSHOT_MAX_AGE_MS,
      0,
      MAX_SNAPSHOT_MAX_AGE_MS,
    ),
    onRecovery: onRecovery as ((report: RecoveryReport) => void) | undefined,
    onSnapshot: onSnapshot as ((event: SnapshotEvent) => void) | undefined,
  };
}
