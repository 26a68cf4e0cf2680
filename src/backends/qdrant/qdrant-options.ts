/**
 * Options of the Qdrant adapter, their defaults and their validation.
 *
 * @module
 */
import {
  optionInteger,
  optionObject,
  optionString,
  rejectUnknownKeys,
} from '../../core/options.js';
import type { BackendCapabilities } from '../backend.js';
import { resolveCapabilityOption, type CapabilityBounds } from '../capabilities.js';
import { parseServerUrl } from '../server-url.js';

/** Options of `qdrantBackend()`. */
export interface QdrantBackendOptions {
  /**
   * Base URL of Qdrant's REST API, e.g. `http://127.0.0.1:6333`. Without a port, the port is
   * 6333 (as `@qdrant/js-client-rest` does), also for `https:`.
   */
  url: string;
  /**
   * Qdrant's API key, sent as the `api-key` header.
   * @default undefined (none)
   */
  apiKey?: string;
  /**
   * Most keep-alive connections to the server.
   * @default 16
   */
  connections?: number;
  /**
   * Longest wait for one request's answer, in milliseconds (the mesh's deadline usually ends a
   * call sooner, through its `AbortSignal`). A call that takes longer rejects with
   * `TimeoutError`.
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * HNSW beam width (`params.hnsw_ef`) of searches that do not set `params.ef` themselves.
   * @default undefined (Qdrant's collection default)
   * @example
   * ```ts
   * qdrantBackend({ url: 'http://127.0.0.1:6333', ef: 128 });
   * ```
   */
  ef?: number;
  /**
   * Request limits to announce, merged over the defaults. Vectors travel as JSON numbers (up to
   * ~20 bytes per float32), so keep `maxBytesPerRequest` well under Qdrant's request limit
   * (`service.max_request_size_mb`, 32 MiB by default).
   * @default { maxPointsPerRequest: 1_000, maxBytesPerRequest: 1 MiB, maxTopK: 10_000, maxQueriesPerRequest: 100 }
   */
  capabilities?: Partial<BackendCapabilities>;
}

/** {@link QdrantBackendOptions} after validation. */
export interface ResolvedQdrantBackendOptions {
  /** The server's origin with its port, e.g. `http://127.0.0.1:6333` (no path, no trailing slash). */
  readonly origin: string;
  /** See {@link QdrantBackendOptions.apiKey}. */
  readonly apiKey: string | undefined;
  /** See {@link QdrantBackendOptions.connections}. */
  readonly connections: number;
  /** See {@link QdrantBackendOptions.timeoutMs}. */
  readonly timeoutMs: number;
  /** See {@link QdrantBackendOptions.ef}. */
  readonly ef: number | undefined;
  /** The limits announced to the mesh. */
  readonly capabilities: BackendCapabilities;
}

/** The limits a Qdrant backend announces unless told otherwise. */
export const DEFAULT_QDRANT_CAPABILITIES: BackendCapabilities = Object.freeze({
  maxPointsPerRequest: 1_000,
  // 1 MiB of float32 is at most ~5 MiB of JSON numbers: far under Qdrant's 32 MiB default.
  maxBytesPerRequest: 1024 * 1024,
  maxTopK: 10_000,
  maxQueriesPerRequest: 100,
});

/** Upper bounds of the capabilities a caller may announce. */
const CAPABILITY_MAX: CapabilityBounds = {
  maxPointsPerRequest: 100_000,
  maxBytesPerRequest: 1024 * 1024 * 1024,
  maxTopK: 1_000_000,
  maxQueriesPerRequest: 10_000,
};

/** Qdrant's default REST port, which `@qdrant/js-client-rest` uses when a URL has none. */
export const QDRANT_DEFAULT_PORT = 6333;

const KEYS: readonly string[] = ['url', 'apiKey', 'connections', 'timeoutMs', 'ef', 'capabilities'];

/**
 * Validates adapter options once.
 *
 * @param options - What the caller passed.
 * @returns Frozen resolved options.
 * @throws `InvalidOptionError` naming the first bad option: an unknown key; a `url` that
 *   is not an `http:` or `https:` URL without path, query or credentials; an empty `apiKey`;
 *   `connections` outside 1..1024; `timeoutMs` outside 1..3,600,000; `ef` outside 1..65,536; a
 *   capability that is not a positive integer within its bound.
 *
 * @example
 * ```ts
 * resolveQdrantOptions({ url: 'http://127.0.0.1' }).origin; // 'http://127.0.0.1:6333'
 * ```
 */
export function resolveQdrantOptions(options: QdrantBackendOptions): ResolvedQdrantBackendOptions {
  const input = optionObject(options, 'options');
  rejectUnknownKeys(input, '', KEYS);
  const apiKey = optionString(input.apiKey, 'apiKey');
  return Object.freeze({
    origin: resolveOrigin(input.url),
    apiKey,
    connections: optionInteger(input.connections, 'connections', 16, 1, 1024),
    timeoutMs: optionInteger(input.timeoutMs, 'timeoutMs', 30_000, 1, 3_600_000),
    ef: input.ef === undefined ? undefined : optionInteger(input.ef, 'ef', 0, 1, 65_536),
    capabilities: resolveCapabilityOption(
      input.capabilities,
      DEFAULT_QDRANT_CAPABILITIES,
      CAPABILITY_MAX,
    ),
  });
}

function resolveOrigin(url: unknown): string {
  const parsed = parseServerUrl(url, 'http://127.0.0.1:6333', 'server');
  // The client puts 6333 where the URL has no port; say so in the endpoint too.
  const port = parsed.port === '' ? String(QDRANT_DEFAULT_PORT) : parsed.port;
  return `${parsed.protocol}//${parsed.hostname}:${port}`;
}
