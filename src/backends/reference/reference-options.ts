/**
 * Options of the reference-node adapter, their defaults and their validation.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../../core/errors.js';
import {
  optionInteger,
  optionObject,
  optionString,
  rejectUnknownKeys,
} from '../../core/options.js';
import type { BackendCapabilities } from '../backend.js';
import { resolveCapabilityOption, type CapabilityBounds } from '../capabilities.js';
import { parseServerUrl } from '../server-url.js';
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

/**
 * Upper bounds of the capabilities a caller may announce: the node refuses more than its own
 * limits; `maxBytesPerRequest` is bounded by its body limit.
 */
const CAPABILITY_MAX: CapabilityBounds = {
  ...DEFAULT_REFERENCE_CAPABILITIES,
  maxBytesPerRequest: 1024 * 1024 * 1024,
};

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
  const apiKey = optionString(input.apiKey, 'apiKey');
  const binaryVectors = input.binaryVectors ?? true;
  if (typeof binaryVectors !== 'boolean') {
    throw new InvalidOptionError(
      `\`binaryVectors\` must be a boolean, received ${describeValue(binaryVectors)}`,
    );
  }
  return Object.freeze({
    origin: parseServerUrl(input.url, 'http://127.0.0.1:7001', 'node').origin,
    binaryVectors,
    apiKey,
    connections: optionInteger(input.connections, 'connections', 16, 1, 1024),
    timeoutMs: optionInteger(input.timeoutMs, 'timeoutMs', 30_000, 1, 3_600_000),
    capabilities: resolveCapabilityOption(
      input.capabilities,
      DEFAULT_REFERENCE_CAPABILITIES,
      CAPABILITY_MAX,
    ),
  });
}
