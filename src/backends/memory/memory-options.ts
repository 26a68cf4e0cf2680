/**
 * Options of the memory backend and their defaults.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../../core/errors.js';
import { isPlainObject } from '../../core/payload.js';
import type { BackendCapabilities } from '../backend.js';

/** Options of `memoryBackend()`. */
export interface MemoryBackendOptions {
  /**
   * The backend's name; its endpoint is `memory://<name>`.
   * @default `memory-<n>`, with `n` counting backends created in this process
   */
  name?: string;
  /**
   * Request limits to announce (and enforce), merged over the defaults.
   * @default { maxPointsPerRequest: 10_000, maxBytesPerRequest: 64 MiB, maxTopK: 10_000, maxQueriesPerRequest: 1_000 }
   */
  capabilities?: Partial<BackendCapabilities>;
}

/** The request limits a memory backend announces unless told otherwise. */
export const DEFAULT_MEMORY_CAPABILITIES: BackendCapabilities = Object.freeze({
  maxPointsPerRequest: 10_000,
  maxBytesPerRequest: 64 * 1024 * 1024,
  maxTopK: 10_000,
  maxQueriesPerRequest: 1_000,
});

/**
 * Merges caller capabilities over {@link DEFAULT_MEMORY_CAPABILITIES}.
 *
 * @param options - The `capabilities` option.
 * @returns Frozen capabilities.
 * @throws {@link InvalidOptionError} when it is not a plain object or a limit is not a positive
 *   integer.
 *
 * @example
 * ```ts
 * resolveCapabilities({ maxTopK: 100 }).maxTopK; // 100
 * ```
 */
export function resolveCapabilities(
  options: Partial<BackendCapabilities> | undefined,
): BackendCapabilities {
  if (options === undefined) return DEFAULT_MEMORY_CAPABILITIES;
  const input: unknown = options;
  if (!isPlainObject(input)) {
    throw new InvalidOptionError(
      `\`capabilities\` must be a plain object, received ${describeValue(input)}`,
    );
  }
  const out: Record<string, number> = { ...DEFAULT_MEMORY_CAPABILITIES };
  for (const key of Object.keys(DEFAULT_MEMORY_CAPABILITIES)) {
    const v: unknown = input[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
      throw new InvalidOptionError(
        `\`capabilities.${key}\` must be a positive integer, received ${describeValue(v)}`,
      );
    }
    out[key] = v;
  }
  return Object.freeze(out as unknown as BackendCapabilities);
}

let backendsCreated = 0;

/**
 * The backend's name: the caller's, or `memory-<n>` counting backends created in this process.
 *
 * @param name - The `name` option.
 * @returns The name.
 * @throws {@link InvalidOptionError} when a name is given but is not a non-empty string.
 *
 * @example
 * ```ts
 * resolveName('a');       // 'a'
 * resolveName(undefined); // 'memory-1' (then 'memory-2', ...)
 * ```
 */
export function resolveName(name: string | undefined): string {
  backendsCreated++;
  if (name === undefined) return `memory-${backendsCreated}`;
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidOptionError(
      `\`name\` must be a non-empty string, received ${describeValue(name)}`,
    );
  }
  return name;
}
