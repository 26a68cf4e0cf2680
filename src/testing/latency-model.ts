/**
 * Latency models for fault injection: how long a call waits before it reaches the wrapped
 * backend. Each model turns exactly one uniform random number into a delay, so that the random
 * stream advances the same way whatever model is configured.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../core/errors.js';
import { optionObject, rejectUnknownKeys } from '../core/options.js';

/** Every call waits the same time. */
export interface FixedLatency {
  /** Discriminant. */
  readonly kind: 'fixed';
  /** The delay, in milliseconds (>= 0). */
  readonly ms: number;
}

/** Delays spread evenly between two bounds. */
export interface UniformLatency {
  /** Discriminant. */
  readonly kind: 'uniform';
  /** Shortest delay, in milliseconds (>= 0). */
  readonly minMs: number;
  /** Longest delay, in milliseconds (>= `minMs`). */
  readonly maxMs: number;
}

/** Exponentially distributed delays: many short, a few long; memoryless like queueing delay. */
export interface ExponentialLatency {
  /** Discriminant. */
  readonly kind: 'exponential';
  /** The mean delay, in milliseconds (>= 0). */
  readonly meanMs: number;
}

/**
 * A fast common case with a slow tail: every call waits `baseMs`, and a `probability` share of
 * calls waits `extraMs` more (a garbage-collection pause, a cold cache, a busy neighbour). The
 * model hedging is meant to cure.
 */
export interface TailLatency {
  /** Discriminant. */
  readonly kind: 'tail';
  /** The delay of every call, in milliseconds (>= 0). */
  readonly baseMs: number;
  /** Share of calls that also wait `extraMs`, from 0 to 1. */
  readonly probability: number;
  /** The extra delay of a slow call, in milliseconds (>= 0). */
  readonly extraMs: number;
}

/** How long a call waits before reaching the wrapped backend. */
export type LatencyModel = FixedLatency | UniformLatency | ExponentialLatency | TailLatency;

/** The longest delay `setTimeout` honours (2^31 - 1 ms); longer ones would fire at once. */
export const MAX_DELAY_MS = 2_147_483_647;

const FIELDS: Readonly<Record<LatencyModel['kind'], readonly string[]>> = {
  fixed: ['ms'],
  uniform: ['minMs', 'maxMs'],
  exponential: ['meanMs'],
  tail: ['baseMs', 'probability', 'extraMs'],
};

/**
 * Checks a latency model and returns a frozen copy.
 *
 * @param value - The candidate model.
 * @param name - The option's path, for messages.
 * @returns The frozen model.
 * @throws `InvalidOptionError` when the kind is unknown, a field is missing, unknown, negative,
 *   not finite or above {@link MAX_DELAY_MS}, `maxMs < minMs`, or `probability` is outside 0..1.
 *
 * @example
 * ```ts
 * resolveLatency({ kind: 'tail', baseMs: 2, probability: 0.01, extraMs: 200 }, 'latency');
 * resolveLatency({ kind: 'uniform', minMs: 5, maxMs: 1 }, 'latency'); // throws
 * ```
 */
export function resolveLatency(value: unknown, name: string): LatencyModel {
  const input = optionObject(value, name);
  const kind = input.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(FIELDS, kind)) {
    throw new InvalidOptionError(
      `\`${name}.kind\` must be one of ${Object.keys(FIELDS)
        .map((k) => `'${k}'`)
        .join(', ')}, received ${describeValue(kind)}`,
    );
  }
  const fields = FIELDS[kind as LatencyModel['kind']];
  rejectUnknownKeys(input, name, ['kind', ...fields]);
  const out: Record<string, unknown> = { kind };
  for (const field of fields) {
    const v = input[field];
    const max = field === 'probability' ? 1 : MAX_DELAY_MS;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
      throw new InvalidOptionError(
        `\`${name}.${field}\` must be a number from 0 to ${max}, received ${describeValue(v)}`,
      );
    }
    out[field] = v;
  }
  if (kind === 'uniform' && (out.maxMs as number) < (out.minMs as number)) {
    throw new InvalidOptionError(
      `\`${name}.maxMs\` must be at least \`${name}.minMs\` (${String(out.minMs)}), received ${String(out.maxMs)}`,
    );
  }
  return Object.freeze(out) as unknown as LatencyModel;
}

/**
 * The delay of one call under a model.
 *
 * @param model - A model checked by {@link resolveLatency}.
 * @param u - One uniform random number in `[0, 1)`; the only randomness used.
 * @returns The delay in milliseconds, at most {@link MAX_DELAY_MS}.
 *
 * @example
 * ```ts
 * sampleLatency({ kind: 'fixed', ms: 5 }, 0.7);                                   // 5
 * sampleLatency({ kind: 'tail', baseMs: 1, probability: 0.1, extraMs: 50 }, 0.05); // 51
 * ```
 */
export function sampleLatency(model: LatencyModel, u: number): number {
  let ms: number;
  switch (model.kind) {
    case 'fixed':
      ms = model.ms;
      break;
    case 'uniform':
      ms = model.minMs + u * (model.maxMs - model.minMs);
      break;
    case 'exponential':
      // Inverse transform: 1 - u is in (0, 1], so the logarithm is finite; `0 -` avoids -0.
      ms = 0 - model.meanMs * Math.log1p(-u);
      break;
    case 'tail':
      ms = u < model.probability ? model.baseMs + model.extraMs : model.baseMs;
      break;
  }
  return Math.min(ms, MAX_DELAY_MS);
}
