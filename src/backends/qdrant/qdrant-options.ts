/**
 * Options of the Qdrant adapter, their defaults and their validation.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../../core/errors.js';
import { optionInteger, optionObject, rejectUnknownKeys } from '../../core/options.js';
import { isPlainObject } from '../../core/payload.js';
import type { BackendCapabilities } from '../backend.js';

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
const CAPABILITY_MAX: Readonly<Record<keyof BackendCapabilities, number>> = {
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
 * @throws {@link InvalidOptionError} naming the first bad option: an unknown key; a `url` that
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
  const apiKey = input.apiKey;
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey.length === 0)) {
    throw new InvalidOptionError(
      `\`apiKey\` must be a non-empty string, received ${describeValue(apiKey)}`,
    );
  }
  return Object.freeze({
    origin: resolveOrigin(input.url),
    apiKey,
    connections: optionInteger(input.connections, 'connections', 16, 1, 1024),
    timeoutMs: optionInteger(input.timeoutMs, 'timeoutMs', 30_000, 1, 3_600_000),
    ef: input.ef === undefined ? undefined : optionInteger(input.ef, 'ef', 0, 1, 65_536),
    capabilities: resolveCapabilities(input.capabilities),
  });
}

function resolveOrigin(url: unknown): string {
  const bad = (why: string): InvalidOptionError =>
    new InvalidOptionError(`\`url\` ${why}, received ${describeValue(url)}`);
  if (typeof url !== 'string') throw bad('must be a string such as http://127.0.0.1:6333');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('must be a URL such as http://127.0.0.1:6333');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw bad('must use http: or https:');
  }
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '') {
    throw bad('must name only the server (scheme, host and port), without a path or query');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw bad('must not hold credentials; pass `apiKey` instead');
  }
  // The client puts 6333 where the URL has no port; say so in the endpoint too.
  const port = parsed.port === '' ? String(QDRANT_DEFAULT_PORT) : parsed.port;
  return `${parsed.protocol}//${parsed.hostname}:${port}`;
}

function resolveCapabilities(value: unknown): BackendCapabilities {
  if (value === undefined) return DEFAULT_QDRANT_CAPABILITIES;
  if (!isPlainObject(value)) {
    throw new InvalidOptionError(
      `\`capabilities\` must be a plain object, received ${describeValue(value)}`,
    );
  }
  const out: Record<string, number> = { ...DEFAULT_QDRANT_CAPABILITIES };
  for (const key of Object.keys(value)) {
    const max = (CAPABILITY_MAX as Record<string, number | undefined>)[key];
    if (max === undefined) {
      throw new InvalidOptionError(
        `unknown option \`capabilities.${key}\`; expected one of ${Object.keys(out).join(', ')}`,
      );
    }
    out[key] = optionInteger(value[key], `capabilities.${key}`, out[key] as number, 1, max);
  }
  return Object.freeze(out as unknown as BackendCapabilities);
}
