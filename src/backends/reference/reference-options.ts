/**
 * Options of the reference-node adapter, their defaults and their validation.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../../core/errors.js';
import { optionInteger, optionObject, rejectUnknownKeys } from '../../core/options.js';
import { isPlainObject } from '../../core/payload.js';
import type { BackendCapabilities } from '../backend.js';
import { NODE_LIMITS } from './protocol.js';

/** Options of `referenceBackend()`. */
export interface ReferenceBackendOptions {
  /** Base URL of the node, e.g. `http://127.0.0.1:7001` (as `startNode` or `vecmesh node` print it). */
  url: string;
  /**
   * The node's API key, sent as `authorization: Bearer <key>`.
   * @default undefined (none)
   */
  apiKey?: string;
  /**
   * Most keep-alive connections to the node.
   * @default 16
   */
  connections?: number;
  /**
   * Longest wait for the answer's headers, and then between chunks of its body, in
   * milliseconds (the mesh's deadline usually ends a call sooner, through its `AbortSignal`).
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * Send search and upsert vectors as a binary body (`application/vnd.vecmesh.v1+binary`:
   * a JSON header and raw float32 values) instead of JSON numbers, which saves the encoding
   * and parsing of every number on both sides. Other requests and every answer stay JSON. A
   * request whose vectors cannot travel exactly as float32 (wrong lengths, non-finite or
   * out-of-range values) goes as JSON, so the node's 400 names the bad entry.
   * @default true
   * @example
   * ```ts
   * referenceBackend({ url: 'http://127.0.0.1:7001', binaryVectors: false }); // JSON only
   * ```
   */
  binaryVectors?: boolean;
  /**
   * Request limits to announce, merged over the defaults. Keep `maxBytesPerRequest` well under
   * the node's body limit: with `binaryVectors: false`, vectors travel as JSON numbers, up to
   * ~6x their float32 size.
   * @default { maxPointsPerRequest: 10_000, maxBytesPerRequest: 8 MiB, maxTopK: 10_000, maxQueriesPerRequest: 1_000 }
   */
  capabilities?: Partial<BackendCapabilities>;
}

/** {@link ReferenceBackendOptions} after validation. */
export interface ResolvedReferenceBackendOptions {
  /** The node's origin, e.g. `http://127.0.0.1:7001` (no path, no trailing slash). */
  readonly origin: string;
  /** See {@link ReferenceBackendOptions.apiKey}. */
  readonly apiKey: string | undefined;
  /** See {@link ReferenceBackendOptions.connections}. */
  readonly connections: number;
  /** See {@link ReferenceBackendOptions.timeoutMs}. */
  readonly timeoutMs: number;
  /** See {@link ReferenceBackendOptions.binaryVectors}. */
  readonly binaryVectors: boolean;
  /** The limits announced to the mesh. */
  readonly capabilities: BackendCapabilities;
}

/** The limits a reference backend announces unless told otherwise (the node's own limits). */
export const DEFAULT_REFERENCE_CAPABILITIES: BackendCapabilities = Object.freeze({
  maxPointsPerRequest: NODE_LIMITS.maxPointsPerRequest,
  // 8 MiB of float32 vectors is at most ~48 MiB of JSON numbers: under the 64 MiB body limit.
  maxBytesPerRequest: 8 * 1024 * 1024,
  maxTopK: NODE_LIMITS.maxTopK,
  maxQueriesPerRequest: NODE_LIMITS.maxQueriesPerRequest,
});

const KEYS: readonly string[] = [
  'url',
  'apiKey',
  'connections',
  'timeoutMs',
  'binaryVectors',
  'capabilities',
];

/**
 * Validates adapter options once.
 *
 * @param options - What the caller passed.
 * @returns Frozen resolved options.
 * @throws {@link InvalidOptionError} naming the first bad option: a `url` that is not an
 *   `http:` or `https:` URL without path, query or credentials; an empty `apiKey`;
 *   `connections` outside 1..1024; `timeoutMs` outside 1..3,600,000; a `binaryVectors` that is
 *   not a boolean; a capability that is not a
 *   positive integer or exceeds the node's limit.
 *
 * @example
 * ```ts
 * resolveReferenceOptions({ url: 'http://127.0.0.1:7001/' }).origin; // 'http://127.0.0.1:7001'
 * ```
 */
export function resolveReferenceOptions(
  options: ReferenceBackendOptions,
): ResolvedReferenceBackendOptions {
  const input = optionObject(options, 'options');
  rejectUnknownKeys(input, '', KEYS);
  const apiKey = input.apiKey;
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey.length === 0)) {
    throw new InvalidOptionError(
      `\`apiKey\` must be a non-empty string, received ${describeValue(apiKey)}`,
    );
  }
  const binaryVectors = input.binaryVectors ?? true;
  if (typeof binaryVectors !== 'boolean') {
    throw new InvalidOptionError(
      `\`binaryVectors\` must be a boolean, received ${describeValue(binaryVectors)}`,
    );
  }
  return Object.freeze({
    origin: resolveOrigin(input.url),
    binaryVectors,
    apiKey,
    connections: optionInteger(input.connections, 'connections', 16, 1, 1024),
    timeoutMs: optionInteger(input.timeoutMs, 'timeoutMs', 30_000, 1, 3_600_000),
    capabilities: resolveCapabilities(input.capabilities),
  });
}

function resolveOrigin(url: unknown): string {
  const bad = (why: string): InvalidOptionError =>
    new InvalidOptionError(`\`url\` ${why}, received ${describeValue(url)}`);
  if (typeof url !== 'string') throw bad('must be a string such as http://127.0.0.1:7001');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('must be a URL such as http://127.0.0.1:7001');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw bad('must use http: or https:');
  }
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '') {
    throw bad('must name only the node (scheme, host and port), without a path or query');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw bad('must not hold credentials; pass `apiKey` instead');
  }
  return parsed.origin;
}

function resolveCapabilities(value: unknown): BackendCapabilities {
  if (value === undefined) return DEFAULT_REFERENCE_CAPABILITIES;
  if (!isPlainObject(value)) {
    throw new InvalidOptionError(
      `\`capabilities\` must be a plain object, received ${describeValue(value)}`,
    );
  }
  const out: Record<string, number> = { ...DEFAULT_REFERENCE_CAPABILITIES };
  for (const key of Object.keys(value)) {
    const fallback = out[key];
    if (fallback === undefined) {
      throw new InvalidOptionError(
        `unknown option \`capabilities.${key}\`; expected one of ${Object.keys(out).join(', ')}`,
      );
    }
    // The node refuses more than its own limits; maxBytesPerRequest is bounded by its body limit.
    const max = key === 'maxBytesPerRequest' ? 1024 * 1024 * 1024 : fallback;
    out[key] = optionInteger(value[key], `capabilities.${key}`, fallback, 1, max);
  }
  return Object.freeze(out as unknown as BackendCapabilities);
}
