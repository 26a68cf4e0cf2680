/**
 * The options of `openStore`, checked and resolved to their defaults.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../../core/errors.js';
import { optionInteger, optionObject, rejectUnknownKeys } from '../../core/options.js';
import type { RecoveryReport } from './store-contract.js';

/** The default log size that triggers a snapshot: 64 MiB. */
export const DEFAULT_SNAPSHOT_EVERY_BYTES = 64 * 1024 * 1024;

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
   * truncate the log (also done on `close()`).
   * @default 64 MiB
   */
  snapshotEveryBytes?: number;
  /**
   * Told once at the end of `openStore` what was loaded and replayed, and what was dropped from a
   * torn or damaged log tail. Errors it throws are ignored.
   * @default none
   */
  onRecovery?: (report: RecoveryReport) => void;
}

/** {@link StoreOptions} with every default filled in. */
export interface ResolvedStoreOptions {
  /** The data directory, or `undefined` for memory only. */
  readonly dir: string | undefined;
  /** Flush records to disk before a write resolves. */
  readonly fsync: boolean;
  /** Log bytes that trigger a snapshot. */
  readonly snapshotEveryBytes: number;
  /** The recovery callback, or `undefined`. */
  readonly onRecovery: ((report: RecoveryReport) => void) | undefined;
}

const KEYS = ['dir', 'fsync', 'snapshotEveryBytes', 'onRecovery'];
const NAME = 'store options';

/**
 * Checks the options of `openStore` and fills in the defaults.
 *
 * @param options - What the caller passed.
 * @default options.fsync true
 * @default options.snapshotEveryBytes 64 MiB
 * @returns The resolved options.
 * @throws {@link InvalidOptionError} when an option is unknown or has the wrong type or range.
 * @example
 * ```ts
 * resolveStoreOptions({ dir: './data' }).snapshotEveryBytes; // 67108864
 * resolveStoreOptions({ fsync: 'yes' }); // throws InvalidOptionError
 * ```
 */
export function resolveStoreOptions(options: unknown): ResolvedStoreOptions {
  const obj = optionObject(options ?? {}, NAME);
  rejectUnknownKeys(obj, NAME, KEYS);
  const { dir, fsync, onRecovery } = obj;
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
  return {
    dir,
    fsync: fsync ?? true,
    snapshotEveryBytes: optionInteger(
      obj['snapshotEveryBytes'],
      `${NAME}.snapshotEveryBytes`,
      DEFAULT_SNAPSHOT_EVERY_BYTES,
      1,
    ),
    onRecovery: onRecovery as ((report: RecoveryReport) => void) | undefined,
  };
}
