/**
 * A wrapper that makes any backend misbehave on purpose, deterministically: seeded latency,
 * errors and hangs, and network partitions switched on and off by the test.
 *
 * @module
 */
import { abortError } from '../backends/abort.js';
import type {
  BackendCapabilities,
  BackendSearchRequest,
  CallOptions,
  GetRequest,
  HealthStatus,
  IdPage,
  VectorBackend,
} from '../backends/backend.js';
import {
  ClosedError,
  InvalidOptionError,
  UnavailableError,
  VecmeshError,
  describeValue,
  type ErrorMeta,
} from '../core/errors.js';
import type { FilterNode } from '../core/filter-ast.js';
import { optionObject } from '../core/options.js';
import type {
  CollectionInfo,
  CollectionSpec,
  Hit,
  Point,
  PointId,
  StoredPoint,
} from '../core/types.js';
import {
  resolveFaultOptions,
  type FaultOptions,
  type FaultyMethod,
  type ResolvedFaultOptions,
} from './fault-options.js';
import { FaultCounters, type FaultStats } from './fault-stats.js';
import { sampleLatency } from './latency-model.js';
import { PendingWaits } from './pending-waits.js';
import { seededRandom, type RandomSource } from './seeded-random.js';

/**
 * Wraps a backend and injects faults into its calls, for tests of the mesh and of applications.
 *
 * - Latency, errors and hangs follow {@link FaultOptions}, from one seeded random stream: the
 *   same seed and the same sequence of calls give the same faults on every run.
 * - {@link FaultyBackend.partition} makes the endpoint unreachable until
 *   {@link FaultyBackend.heal}: every call (`connect` included) fails at once with
 *   `UnavailableError`, and `health` answers `ok: false`.
 * - Delays run on `setTimeout` (fake timers drive them). A call's `AbortSignal` cuts a delay or a
 *   hang short with the same error a real adapter gives (`AbortedError`, `TimeoutError`, or the
 *   signal's reason when it is a `VecmeshError`); nothing stays registered on the signal after.
 * - `close()` passes through, and rejects calls still waiting or hanging with `ClosedError`.
 *
 * `kind`, `endpoint` and `capabilities` are the wrapped backend's, so wrapping is transparent
 * (the mesh tells replicas apart by kind and endpoint: wrap a backend, do not add a second one).
 *
 * @example
 * ```ts
 * const flaky = new FaultyBackend(memoryBackend(), {
 *   seed: 7,
 *   latency: { kind: 'tail', baseMs: 1, probability: 0.05, extraMs: 200 },
 *   errorRate: 0.1,
 * });
 * const mesh = createMesh({ clusters: [{ name: 'c', shards: [{ replicas: [{ backend: flaky }] }] }] });
 * flaky.partition(); // the replica's host goes away
 * flaky.heal();      // and comes back
 * flaky.stats.injectedErrors;
 * ```
 */
export class FaultyBackend implements VectorBackend, AsyncDisposable {
  /** The wrapped backend. */
  readonly inner: VectorBackend;

  private faults: ResolvedFaultOptions;
  // The caller's options as given, so that setFaults() can merge a patch over them.
  private input: Readonly<Record<string, unknown>>;
  private readonly random: RandomSource;
  private partitioned = false;
  private readonly waits = new PendingWaits();
  private readonly counters = new FaultCounters();

  /**
   * @param inner - The backend to wrap.
   * @param options - The faults to inject; none by default.
   * @throws `InvalidOptionError` when `inner` is not a backend or an option is invalid.
   */
  constructor(inner: VectorBackend, options: FaultOptions = {}) {
    const candidate: unknown = inner;
    if (
      typeof candidate !== 'object' ||
      candidate === null ||
      typeof (candidate as Partial<VectorBackend>).search !== 'function'
    ) {
      throw new InvalidOptionError(
        `\`inner\` must be a VectorBackend, received ${describeValue(candidate)}`,
      );
    }
    this.inner = inner;
    this.faults = resolveFaultOptions(options, inner.endpoint);
    this.input = Object.freeze({ ...optionObject(options, 'options') });
    this.random = seededRandom(this.faults.seed);
  }

  /** The wrapped backend's kind. */
  get kind(): string {
    return this.inner.kind;
  }

  /** The wrapped backend's endpoint. */
  get endpoint(): string {
    return this.inner.endpoint;
  }

  /** The wrapped backend's capabilities. */
  get capabilities(): BackendCapabilities {
    return this.inner.capabilities;
  }

  /** The faults now in force. */
  get options(): ResolvedFaultOptions {
    return this.faults;
  }

  /** Whether a partition is in force. */
  get isPartitioned(): boolean {
    return this.partitioned;
  }

  /** A snapshot of what the wrapper has seen and done. */
  get stats(): FaultStats {
    return this.counters.snapshot();
  }

  /**
   * Cuts the endpoint off, like an unreachable host: from now on every call fails at once with
   * `UnavailableError` (without drawing from the random stream) and `health` answers `ok: false`,
   * until {@link FaultyBackend.heal}. Calls already in flight are not affected.
   */
  partition(): void {
    this.partitioned = true;
  }

  /** Ends a partition. */
  heal(): void {
    this.partitioned = false;
  }

  /**
   * Changes the faults at run time, merged over the options in force. A key given as `undefined`
   * goes back to its default. The random stream carries on where it was.
   *
   * @param patch - The options to change.
   * @throws `InvalidOptionError` when an option is invalid or `seed` is given (create a new
   *   wrapper for another seed); the faults in force are then left unchanged.
   *
   * @example
   * ```ts
   * flaky.setFaults({ errorRate: 0.5 });       // a bad minute
   * flaky.setFaults({ errorRate: undefined }); // back to none
   * ```
   */
  setFaults(patch: Omit<FaultOptions, 'seed'>): void {
    const changes = optionObject(patch, 'patch');
    if ('seed' in changes) {
      throw new InvalidOptionError(
        '`seed` cannot change on a running FaultyBackend (the random stream is kept); create a new one',
      );
    }
    const merged = { ...this.input, ...changes };
    this.faults = resolveFaultOptions(merged, this.inner.endpoint);
    this.input = Object.freeze(merged);
  }

  /** Sets every counter of {@link FaultyBackend.stats} back to zero. */
  resetStats(): void {
    this.counters.reset();
  }

  /** Connects the wrapped backend; fails during a partition, and when `connect` is in `methods`. */
  connect(options?: CallOptions): Promise<void> {
    return this.run('connect', undefined, options, () => this.inner.connect(options));
  }

  /** Closes the wrapped backend (never faulted) and rejects waiting calls with `ClosedError`. */
  close(): Promise<void> {
    this.counters.call('close');
    this.waits.rejectAll(
      () => new ClosedError(`${this.endpoint} was closed while the call waited`),
    );
    return this.inner.close();
  }

  /** Same as {@link FaultyBackend.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Probes the wrapped backend. During a partition, or when an error is injected, answers
   * `ok: false` with the error's message as `detail` (a probe never rejects for an unreachable
   * endpoint); injected latency is added to `latencyMs`.
   */
  health(options?: CallOptions): Promise<HealthStatus> {
    return this.run(
      'health',
      undefined,
      options,
      async (delayMs) => {
        const status = await this.inner.health(options);
        return delayMs > 0 ? { ...status, latencyMs: status.latencyMs + delayMs } : status;
      },
      (error, delayMs) => ({ ok: false, latencyMs: delayMs, detail: error.message }),
    );
  }

  /** Creates a collection on the wrapped backend, with faults. */
  createCollection(name: string, spec: CollectionSpec, options?: CallOptions): Promise<void> {
    return this.run('createCollection', name, options, () =>
      this.inner.createCollection(name, spec, options),
    );
  }

  /** Drops a collection on the wrapped backend, with faults. */
  dropCollection(name: string, options?: CallOptions): Promise<boolean> {
    return this.run('dropCollection', name, options, () =>
      this.inner.dropCollection(name, options),
    );
  }

  /** Describes a collection of the wrapped backend, with faults. */
  describeCollection(name: string, options?: CallOptions): Promise<CollectionInfo> {
    return this.run('describeCollection', name, options, () =>
      this.inner.describeCollection(name, options),
    );
  }

  /** Lists the wrapped backend's collections, with faults. */
  listCollections(options?: CallOptions): Promise<string[]> {
    return this.run('listCollections', undefined, options, () =>
      this.inner.listCollections(options),
    );
  }

  /** Upserts into the wrapped backend, with faults. */
  upsert(collection: string, points: readonly Point[], options?: CallOptions): Promise<void> {
    return this.run('upsert', collection, options, () =>
      this.inner.upsert(collection, points, options),
    );
  }

  /** Deletes from the wrapped backend, with faults. */
  delete(collection: string, ids: readonly PointId[], options?: CallOptions): Promise<void> {
    return this.run('delete', collection, options, () =>
      this.inner.delete(collection, ids, options),
    );
  }

  /** Reads points from the wrapped backend, with faults. */
  get(
    collection: string,
    ids: readonly PointId[],
    request?: GetRequest,
    options?: CallOptions,
  ): Promise<StoredPoint[]> {
    return this.run('get', collection, options, () =>
      this.inner.get(collection, ids, request, options),
    );
  }

  /** Counts points on the wrapped backend, with faults. */
  count(collection: string, filter?: FilterNode, options?: CallOptions): Promise<number> {
    return this.run('count', collection, options, () =>
      this.inner.count(collection, filter, options),
    );
  }

  /** Searches the wrapped backend, with faults. */
  search(
    collection: string,
    request: BackendSearchRequest,
    options?: CallOptions,
  ): Promise<Hit[][]> {
    return this.run('search', collection, options, () =>
      this.inner.search(collection, request, options),
    );
  }

  /** Scans ids of the wrapped backend, with faults. */
  scanIds(
    collection: string,
    page: { cursor?: string; limit: number },
    options?: CallOptions,
  ): Promise<IdPage> {
    return this.run('scanIds', collection, options, () =>
      this.inner.scanIds(collection, page, options),
    );
  }

  /**
   * Runs one call through the faults. `degrade` turns an injected failure into an answer (for
   * `health`, which reports trouble instead of rejecting).
   */
  private run<T>(
    method: FaultyMethod,
    collection: string | undefined,
    options: CallOptions | undefined,
    call: (delayMs: number) => Promise<T>,
    degrade?: (error: Error, delayMs: number) => T,
  ): Promise<T> {
    this.counters.call(method);
    const signal = options?.signal;
    const meta: ErrorMeta =
      collection === undefined
        ? { backend: this.endpoint, operation: method }
        : { backend: this.endpoint, operation: method, collection };
    if (signal?.aborted === true) return Promise.reject(abortError(signal, this.endpoint, meta));
    if (this.partitioned) {
      this.counters.partitionRejections++;
      const error = new UnavailableError(`${this.endpoint} is unreachable (injected partition)`, {
        meta,
      });
      return degrade ? Promise.resolve(degrade(error, 0)) : Promise.reject(error);
    }
    const faults = this.faults;
    if (!faults.methods.has(method)) return call(0);
    // Always three draws, in this order, so that one fault's setting never moves another's.
    const uLatency = this.random();
    const uHang = this.random();
    const uError = this.random();
    if (uHang < faults.hangRate) {
      this.counters.hangs++;
      return this.wait(undefined, signal, meta).then(() => {
        throw new UnavailableError(`${this.endpoint} hang ended without an abort`, { meta });
      });
    }
    const delayMs = faults.latency === undefined ? 0 : sampleLatency(faults.latency, uLatency);
    this.counters.injectedLatencyMs += delayMs;
    const fails = uError < faults.errorRate;
    if (fails) this.counters.injectedErrors++;
    if (!fails && delayMs === 0) return call(0);
    // async: an `error()` factory that throws still ends in a rejection, never a sync throw.
    const proceed = async (): Promise<T> => {
      if (!fails) return call(delayMs);
      const error = this.injectedError(faults, method, meta);
      if (degrade) return degrade(error, delayMs);
      throw error;
    };
    return delayMs > 0 ? this.wait(delayMs, signal, meta).then(proceed) : proceed();
  }

  private injectedError(
    faults: ResolvedFaultOptions,
    method: FaultyMethod,
    meta: ErrorMeta,
  ): Error {
    const error = faults.error(method);
    return error instanceof VecmeshError ? error.withMeta(meta) : error;
  }

  private wait(
    ms: number | undefined,
    signal: AbortSignal | undefined,
    meta: ErrorMeta,
  ): Promise<void> {
    return this.waits.wait(ms, signal, () =>
      abortError(signal as AbortSignal, this.endpoint, meta),
    );
  }
}

/**
 * Creates a {@link FaultyBackend}.
 *
 * @param inner - The backend to wrap.
 * @param options - The faults to inject; none by default.
 * @returns The wrapper.
 * @throws `InvalidOptionError` when `inner` is not a backend or an option is invalid.
 *
 * @example
 * ```ts
 * const slow = faultyBackend(memoryBackend(), { latency: { kind: 'fixed', ms: 20 } });
 * ```
 */
export function faultyBackend(inner: VectorBackend, options?: FaultOptions): FaultyBackend {
  return new FaultyBackend(inner, options);
}
