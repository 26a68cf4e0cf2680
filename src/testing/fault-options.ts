/**
 * Options of `FaultyBackend`: which faults to inject, how often, and into which methods.
 *
 * @module
 */
import { InvalidOptionError, UnavailableError, describeValue } from '../core/errors.js';
import { optionObject, rejectUnknownKeys } from '../core/options.js';
import { resolveLatency, type LatencyModel } from './latency-model.js';

/** Every backend method a fault can be injected into (`close` never fails). */
export const FAULTY_METHODS = Object.freeze([
  'connect',
  'health',
  'createCollection',
  'dropCollection',
  'describeCollection',
  'listCollections',
  'upsert',
  'delete',
  'get',
  'count',
  'search',
  'scanIds',
] as const);

/** A backend method a fault can be injected into. */
export type FaultyMethod = (typeof FAULTY_METHODS)[number];

/**
 * The methods faults apply to unless told otherwise: every data method. `connect` and `health`
 * are left alone so that a test can set up and probe; opt them in through `methods`. (A
 * `partition()` affects every method whatever this says.)
 */
export const DEFAULT_FAULTY_METHODS: readonly FaultyMethod[] = Object.freeze(
  FAULTY_METHODS.filter((m) => m !== 'connect' && m !== 'health'),
);

/**
 * What a `FaultyBackend` injects. Faults are decided when a call starts, from one seeded random
 * stream: each call of a method in `methods` draws exactly three numbers, in this order: one for
 * its latency, one for a hang, one for an error, whatever is configured. So the same seed and the
 * same sequence of calls give the same faults, and changing one rate does not move the others.
 */
export interface FaultOptions {
  /**
   * Seed of the random stream (see `seededRandom`).
   * @default 1
   */
  seed?: number;
  /**
   * Delay added before the wrapped call (and before an injected error). Runs on `setTimeout`, so
   * fake timers drive it; the call's `AbortSignal` cuts it short.
   * @default undefined (no delay)
   */
  latency?: LatencyModel;
  /**
   * Probability, from 0 to 1, that a call fails with `error()` instead of reaching the wrapped
   * backend.
   * @default 0
   */
  errorRate?: number;
  /**
   * Makes the error of an injected failure. A `VecmeshError` gets the call's meta; any other
   * error is thrown as it is (useful to test how foreign errors are classified).
   * @default (method) => new UnavailableError(`${endpoint} (injected fault)`)
   */
  error?: (method: FaultyMethod) => Error;
  /**
   * Probability, from 0 to 1, that a call never answers: it rejects only when its signal aborts
   * (or the backend is closed). Decided before `errorRate`.
   * @default 0
   */
  hangRate?: number;
  /**
   * Which methods latency, errors and hangs apply to.
   * @default every data method: search, upsert, delete, get, count, scanIds,
   *   describeCollection, createCollection, dropCollection, listCollections
   */
  methods?: readonly FaultyMethod[];
}

/** {@link FaultOptions} checked, with defaults filled in; frozen. */
export interface ResolvedFaultOptions {
  /** Seed of the random stream. */
  readonly seed: number;
  /** The latency model, or `undefined` for none. */
  readonly latency: LatencyModel | undefined;
  /** Probability of an injected error. */
  readonly errorRate: number;
  /** Makes injected errors. */
  readonly error: (method: FaultyMethod) => Error;
  /** Probability of a hang. */
  readonly hangRate: number;
  /** The methods faults apply to. */
  readonly methods: ReadonlySet<FaultyMethod>;
}

const KEYS = ['seed', 'latency', 'errorRate', 'error', 'hangRate', 'methods'];

/**
 * Checks fault options and fills in defaults.
 *
 * @param options - The caller's options.
 * @param endpoint - The wrapped backend's endpoint, named by the default error.
 * @returns Frozen resolved options.
 * @throws `InvalidOptionError` naming the first bad option: an unknown key, a rate outside
 *   0..1, a seed that is not a finite number, an invalid latency model, an `error` that is not a
 *   function, or an unknown method.
 *
 * @example
 * ```ts
 * resolveFaultOptions({ errorRate: 0.1 }, 'memory://a').methods.has('search'); // true
 * resolveFaultOptions({ errorRate: 2 }, 'memory://a'); // throws: `errorRate` must be ...
 * ```
 */
export function resolveFaultOptions(options: unknown, endpoint: string): ResolvedFaultOptions {
  const input = optionObject(options ?? {}, 'options');
  rejectUnknownKeys(input, '', KEYS);
  const { seed, latency, error, methods } = input;
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isFinite(seed))) {
    throw new InvalidOptionError(
      `\`seed\` must be a finite number, received ${describeValue(seed)}`,
    );
  }
  if (error !== undefined && typeof error !== 'function') {
    throw new InvalidOptionError(`\`error\` must be a function, received ${describeValue(error)}`);
  }
  return Object.freeze({
    seed: seed ?? 1,
    latency: latency === undefined ? undefined : resolveLatency(latency, 'latency'),
    errorRate: rate(input.errorRate, 'errorRate'),
    error:
      (error as ((method: FaultyMethod) => Error) | undefined) ??
      (() => new UnavailableError(`${endpoint} (injected fault)`)),
    hangRate: rate(input.hangRate, 'hangRate'),
    methods: resolveMethods(methods),
  });
}

function rate(value: unknown, name: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidOptionError(
      `\`${name}\` must be a number from 0 to 1, received ${describeValue(value)}`,
    );
  }
  return value;
}

function resolveMethods(value: unknown): ReadonlySet<FaultyMethod> {
  if (value === undefined) return new Set(DEFAULT_FAULTY_METHODS);
  if (!Array.isArray(value)) {
    throw new InvalidOptionError(
      `\`methods\` must be an array of method names, received ${describeValue(value)}`,
    );
  }
  const known: readonly string[] = FAULTY_METHODS;
  const list: readonly unknown[] = value;
  list.forEach((m, i) => {
    if (typeof m !== 'string' || !known.includes(m)) {
      throw new InvalidOptionError(
        `\`methods[${i}]\` must be one of ${FAULTY_METHODS.join(', ')}, received ${describeValue(m)}`,
      );
    }
  });
  return new Set(list as FaultyMethod[]);
}
