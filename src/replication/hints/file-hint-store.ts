/**
 * The durable hint store: one append-only, checksummed log per replica in a directory, so that
 * hints survive a crash or a restart of the process.
 *
 * @module
 */
import { join } from 'node:path';
import {
  BackendError,
  ClosedError,
  InvalidOptionError,
  VecmeshError,
  describeValue,
  messageOf,
} from '../../core/errors.js';
import { optionObject, rejectUnknownKeys } from '../../core/options.js';
import { planAppendBatch, type QueuedAppend } from './append-batch.js';
import { LOG_SUFFIX, listReplicaFiles } from './hint-files.js';
import {
  checkAckSeq,
  checkPendingLimit,
  checkReplicaId,
  hintWeight,
  resolveHintLimits,
  validateHintInput,
  type HintStoreLimits,
  type ResolvedHintStoreLimits,
} from './hint-input.js';
import { encodeHintBody } from './hint-record.js';
import type { AppendOutcome, Hint, HintInput, HintStore } from './hint-store.js';
import { ReplicaLog, type HintCorruption } from './replica-log.js';
import { SerialLanes } from './serial-lanes.js';

export type { HintCorruption } from './replica-log.js';

/** Options of {@link fileHintStore}. */
export interface FileHintStoreOptions extends HintStoreLimits {
  /** The directory holding the logs; created (with its parents) when missing. One store per directory. */
  dir: string;
  /**
   * Flush every append (and every ack, mark and file creation) to disk before it resolves.
   * Turning it off trades the last moments before a machine crash for speed; a crash of the
   * process alone loses nothing either way.
   * @default true
   */
  fsync?: boolean;
  /**
   * Told about every damaged part of the directory found (and cut away) at start or when
   * reading hints: a torn tail after a crash, a bad checksum, a damaged state file. Errors it
   * throws are ignored: damage never fails the store.
   * @default none
   */
  onCorruption?: (info: HintCorruption) => void;
}

const OPTION_KEYS = ['dir', 'maxHintsPerReplica', 'maxPointsPerReplica', 'fsync', 'onCorruption'];
const NAME = 'fileHintStore options';

/**
 * A {@link HintStore} on disk that survives a restart of the process.
 *
 * Layout: per replica, `<name>.hints.log` (a header naming the replica, then one line per hint:
 * `<crc32 hex> <json>`) and `<name>.state` (acked seq and needs-repair mark, replaced
 * atomically), where `<name>` is a readable prefix of the replica id plus a hash of it.
 *
 * Durability: an append resolves only after its line is written and flushed (`fsync`);
 * appends that arrive together are written and flushed together (group commit), in call
 * order. An ack persists the acked seq before the log is shortened; a fully acked log is cut
 * back to its header. At start a torn tail (a crash mid-append, never acknowledged) is cut and
 * reported; a damaged complete record is cut with everything after it (replaying past it could
 * skip a write), reported, and the replica marked as needing repair. Sequence numbers continue
 * after a restart.
 *
 * Memory: an index entry per pending hint; hint contents are read from disk by `pending()`.
 *
 * @example
 * ```ts
 * const hints = fileHintStore({ dir: './data/hints', onCorruption: (info) => log.warn(info) });
 * await hints.open(); // loads what the last process left
 * hints.replicas();   // replicas with hints to replay
 * ```
 */
export class FileHintStore implements HintStore, AsyncDisposable {
  /** The directory. */
  readonly dir: string;
  /** The resolved bounds. */
  readonly limits: ResolvedHintStoreLimits;
  /** Whether writes are flushed to disk before they resolve. */
  readonly fsync: boolean;

  private readonly onCorruption: ((info: HintCorruption) => void) | undefined;
  private readonly logs = new Map<string, ReplicaLog>();
  private readonly queued = new Map<string, QueuedAppend[]>();
  private readonly lanes = new SerialLanes();
  private opening: Promise<void> | undefined;
  private opened = false;
  private closing: Promise<void> | undefined;

  /**
   * @param options - Directory, bounds, flushing and the corruption callback. No I/O here.
   * @throws {@link InvalidOptionError} when an option is unknown or invalid.
   */
  constructor(options: FileHintStoreOptions) {
    const obj = optionObject(options, NAME);
    rejectUnknownKeys(obj, NAME, OPTION_KEYS);
    const { dir, fsync, onCorruption } = obj;
    if (typeof dir !== 'string' || dir.length === 0) {
      throw new InvalidOptionError(
        `\`${NAME}.dir\` must be a non-empty string, received ${describeValue(dir)}`,
      );
    }
    if (fsync !== undefined && typeof fsync !== 'boolean') {
      throw new InvalidOptionError(
        `\`${NAME}.fsync\` must be a boolean, received ${describeValue(fsync)}`,
      );
    }
    if (onCorruption !== undefined && typeof onCorruption !== 'function') {
      throw new InvalidOptionError(
        `\`${NAME}.onCorruption\` must be a function, received ${describeValue(onCorruption)}`,
      );
    }
    this.dir = dir;
    this.fsync = fsync ?? true;
    this.limits = resolveHintLimits(obj, NAME);
    this.onCorruption = onCorruption as ((info: HintCorruption) => void) | undefined;
  }

  /**
   * Creates the directory if needed and loads every replica's log: cuts and reports damage,
   * removes leftovers of interrupted writes. Idempotent; other methods call it on first use.
   *
   * @throws {@link ClosedError} after `close()`.
   * @throws {@link BackendError} when the directory cannot be created or read (then `open()`
   *   may be tried again).
   */
  open(): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(this.closedError('open'));
    return this.ready();
  }

  /** Stores the hint durably, or answers `overflow` (see {@link HintStore.append}). */
  append(replicaId: string, hint: HintInput): Promise<AppendOutcome> {
    try {
      const id = checkReplicaId(replicaId);
      const input = validateHintInput(hint);
      this.checkNotClosed('append');
      // Encoded now: the caller may reuse its objects while the write waits for its turn.
      const body = encodeHintBody(input);
      return new Promise<AppendOutcome>((resolve, reject) => {
        let batch = this.queued.get(id);
        if (batch === undefined) {
          batch = [];
          this.queued.set(id, batch);
          void this.lanes.run(id, () => this.flush(id));
        }
        batch.push({ body, weight: hintWeight(input), createdAt: Date.now(), resolve, reject });
      });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : this.ioError('call', undefined, err));
    }
  }

  /** The oldest pending hints, read from disk, at most `limit`. */
  pending(replicaId: string, limit: number): Promise<Hint[]> {
    return this.call('pending', replicaId, limit, checkPendingLimit, async (log, max) => {
      if (log === undefined) return [];
      const hints = await log.read(max);
      if (hints !== undefined) return hints;
      this.report({
        file: join(this.dir, log.baseName + LOG_SUFFIX),
        replicaId: log.replicaId,
        offset: 0,
        droppedBytes: 0,
        reason: 'a pending record no longer matches its checksum; pending hints discarded',
        needsRepair: true,
      });
      await log.discardAndMark();
      return [];
    });
  }

  /** Removes the replica's hints with `seq <= seq`, durably. */
  ack(replicaId: string, seq: number): Promise<void> {
    return this.call('ack', replicaId, seq, checkAckSeq, async (log, upTo) => {
      await log?.ack(upTo);
    });
  }

  /**
   * Pending hints of the replica.
   *
   * @throws {@link ClosedError} before `open()` has finished, or after `close()`.
   */
  count(replicaId: string): number {
    this.checkReady('count');
    return this.logs.get(checkReplicaId(replicaId))?.count ?? 0;
  }

  /**
   * The seq of the replica's newest stored hint (see {@link HintStore.lastSeq}).
   *
   * @throws {@link ClosedError} before `open()` has finished, or after `close()`.
   */
  lastSeq(replicaId: string): number {
    this.checkReady('lastSeq');
    return this.logs.get(checkReplicaId(replicaId))?.lastSeq ?? 0;
  }

  /**
   * Replicas with pending hints.
   *
   * @throws {@link ClosedError} before `open()` has finished, or after `close()`.
   */
  replicas(): string[] {
    this.checkReady('replicas');
    const out: string[] = [];
    for (const [id, log] of this.logs) if (log.count > 0) out.push(id);
    return out;
  }

  /**
   * Whether the replica lost hints and needs repair (the mark survives restarts).
   *
   * @throws {@link ClosedError} before `open()` has finished, or after `close()`.
   */
  needsRepair(replicaId: string): boolean {
    this.checkReady('needsRepair');
    return this.logs.get(checkReplicaId(replicaId))?.needsRepair ?? false;
  }

  /** Clears the mark, durably, after a repair. */
  clearNeedsRepair(replicaId: string): Promise<void> {
    return this.call(
      'clearNeedsRepair',
      replicaId,
      undefined,
      () => undefined,
      async (log) => {
        await log?.clearNeedsRepair();
      },
    );
  }

  /** Waits for the writes in flight, then closes every file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.opening?.catch(() => undefined);
      await this.lanes.drain();
      await Promise.all([...this.logs.values()].map((log) => log.close().catch(() => undefined)));
      this.logs.clear();
    })();
    return this.closing;
  }

  /** Same as {@link FileHintStore.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async load(): Promise<void> {
    const report = (info: HintCorruption): void => {
      this.report(info);
    };
    for (const [base, found] of await listReplicaFiles(this.dir)) {
      const log = await ReplicaLog.load(this.dir, base, found, this.fsync, report);
      if (log !== undefined) this.logs.set(log.replicaId, log);
    }
  }

  /** Writes every append queued for the replica so far, in call order, with one flush. */
  private async flush(id: string): Promise<void> {
    const batch = this.queued.get(id) ?? [];
    this.queued.delete(id);
    try {
      await this.ready();
      const log = this.logFor(id);
      const plan = planAppendBatch(batch, log, this.limits);
      if (plan.overflow) {
        // As if appended one by one: those before the overflow were stored, then dropped.
        log.lastSeq += plan.records.length;
        await log.discardAndMark();
      } else if (plan.records.length > 0) {
        await log.append(plan.records);
      }
      batch.forEach((item, i) => {
        item.resolve(plan.outcomes[i] as AppendOutcome);
      });
    } catch (err) {
      const error = this.ioError('append', id, err);
      for (const item of batch) item.reject(error);
    }
  }

  private logFor(id: string): ReplicaLog {
    let log = this.logs.get(id);
    if (log === undefined) {
      log = ReplicaLog.fresh(this.dir, id, this.fsync);
      this.logs.set(id, log);
    }
    return log;
  }

  /**
   * Runs one operation on a replica after the ones before it, once the store is open. The
   * argument is checked at once, so that a bad call fails without waiting its turn.
   */
  private call<A, T>(
    operation: string,
    replicaId: string,
    arg: unknown,
    check: (arg: unknown) => A,
    body: (log: ReplicaLog | undefined, arg: A) => Promise<T>,
  ): Promise<T> {
    try {
      const id = checkReplicaId(replicaId);
      const checked = check(arg);
      this.checkNotClosed(operation);
      return this.lanes.run(id, async () => {
        await this.ready();
        try {
          return await body(this.logs.get(id), checked);
        } catch (err) {
          throw this.ioError(operation, id, err);
        }
      });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : this.ioError('call', undefined, err));
    }
  }

  /**
   * Opens the store for a task that was queued before any `close()`: unlike `open()` it does
   * not refuse once closing has begun, since `close()` waits for such tasks.
   */
  private ready(): Promise<void> {
    if (this.opened) return Promise.resolve();
    this.opening ??= this.load().then(
      () => {
        this.opened = true;
      },
      (err: unknown) => {
        this.opening = undefined;
        throw this.ioError('open', undefined, err);
      },
    );
    return this.opening;
  }

  private report(info: HintCorruption): void {
    try {
      this.onCorruption?.(info);
    } catch {
      // The callback is for telling; its failure must not fail the store.
    }
  }

  private checkNotClosed(operation: string): void {
    if (this.closing !== undefined) throw this.closedError(operation);
  }

  private checkReady(operation: string): void {
    this.checkNotClosed(operation);
    if (!this.opened) {
      throw new ClosedError(
        `the file hint store at ${this.dir} is not open; await \`open()\` before \`${operation}\``,
      );
    }
  }

  private closedError(operation: string): ClosedError {
    return new ClosedError(
      `the file hint store at ${this.dir} is closed; \`${operation}\` cannot be used after \`close()\``,
    );
  }

  private ioError(operation: string, replicaId: string | undefined, err: unknown): VecmeshError {
    if (err instanceof VecmeshError) return err;
    const meta =
      replicaId === undefined
        ? { operation: `hints.${operation}` }
        : { operation: `hints.${operation}`, replica: replicaId };
    return new BackendError(
      `the file hint store at ${this.dir} failed in \`${operation}\`${replicaId === undefined ? '' : ` for replica ${JSON.stringify(replicaId)}`}: ${messageOf(err)}`,
      { cause: err, meta },
    );
  }
}

/**
 * Creates a {@link FileHintStore}. No I/O until `open()` or the first asynchronous call.
 *
 * @param options - `dir` (required), bounds, `fsync`, `onCorruption`.
 * @default options.maxHintsPerReplica 10_000
 * @default options.maxPointsPerReplica 100_000
 * @default options.fsync true
 * @returns The store.
 * @throws {@link InvalidOptionError} when an option is unknown or invalid.
 * @example
 * ```ts
 * const hints = fileHintStore({ dir: join(dataDir, 'hints'), maxPointsPerReplica: 1_000_000 });
 * await hints.open();
 * ```
 */
export function fileHintStore(options: FileHintStoreOptions): FileHintStore {
  return new FileHintStore(options);
}
