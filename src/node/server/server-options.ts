/**
 * Options of a reference node's HTTP server, their defaults and their validation.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../../core/errors.js';
import { optionInteger, optionObject, rejectUnknownKeys } from '../../core/options.js';
import {
  DEFAULT_SNAPSHOT_EVERY_BYTES,
  DEFAULT_SNAPSHOT_MAX_AGE_MS,
  MAX_SNAPSHOT_MAX_AGE_MS,
} from '../store/store-options.js';

/** The largest request body a node accepts unless told otherwise (64 MiB). */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

/** The address a node binds unless told otherwise: loopback only. */
export const DEFAULT_HOST = '127.0.0.1';

/**
 * The time a client has to send a request's headers unless told otherwise: 10 s. Headers are a
 * few hundred bytes, so a live client needs far less; Node's own default is 60 s.
 */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

/**
 * The time a client has to send a whole request, headers and body, unless told otherwise: 30 s.
 * A body at the default 64 MiB limit arrives in time at about 2.2 MB/s or more, and a client
 * with the mesh's default deadline (10 s) has given up long before. Fastify's own default is no
 * limit.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The longest request or headers timeout accepted (about 24.8 days, what a timer can wait). */
export const MAX_REQUEST_TIMEOUT_MS = 2_147_483_647;

/** Options of `startNode()`. */
export interface NodeOptions {
  /**
   * TCP port to listen on; `0` picks a free port (read it back from `RunningNode.port`).
   * @default 0
   */
  port?: number;
  /**
   * Address to bind. The default keeps the node on this machine; pass `0.0.0.0` (with an
   * `apiKey`) only on a trusted network.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Directory of the write-ahead log and snapshots; `undefined` keeps everything in memory.
   * @default undefined
   */
  dataDir?: string;
  /**
   * When set, every request but `GET /healthz` and `GET /readyz` must carry it as
   * `authorization: Bearer <key>` or `x-api-key: <key>` (compared in constant time); 401 otherwise.
   * @default undefined (no authentication)
   */
  apiKey?: string;
  /**
   * Largest request body accepted, in bytes; larger bodies get 413.
   * @default 67108864 (64 MiB)
   */
  bodyLimitBytes?: number;
  /**
   * Time a client has to send a request's headers, in milliseconds, from its first byte; a
   * client that has not finished them by then (a stalled or "slowloris" client) gets 408 and the
   * connection is closed. At most `requestTimeoutMs`. Integer from 1 to 2147483647.
   * @default 10000 (10 s), or `requestTimeoutMs` when that is lower
   */
  headersTimeoutMs?: number;
  /**
   * Time a client has to send a whole request, headers and body, in milliseconds, from its
   * first byte (Node's `requestTimeout`); a body that trickles or stalls past it gets 408 and the
   * connection is closed. Time spent answering does not count. Integer from 1 to 2147483647.
   * @default 30000 (30 s)
   */
  requestTimeoutMs?: number;
  /**
   * Flush the write-ahead log to disk (fsync) before acknowledging a write.
   * @default true
   */
  fsync?: boolean;
  /**
   * Snapshot the store in the background once its write-ahead log holds this many bytes of
   * records (with a `dataDir`). Integer, at least 1. See the store option of the same name.
   * @default 67108864 (64 MiB)
   */
  snapshotEveryBytes?: number;
  /**
   * Snapshot the store in the background once the oldest log record that no snapshot holds is
   * this old, in milliseconds (with a `dataDir`); `0` turns this off. Integer from 0 to
   * 2147483647. See the store option of the same name.
   * @default 60000 (60 s)
   */
  snapshotMaxAgeMs?: number;
  /**
   * Log requests through fastify's logger (pino, JSON lines on stderr).
   * @default false
   */
  logger?: boolean;
}

/** {@link NodeOptions} after validation, with every default filled in. */
export interface ResolvedNodeOptions {
  /** See {@link NodeOptions.port}. */
  readonly port: number;
  /** See {@link NodeOptions.host}. */
  readonly host: string;
  /** See {@link NodeOptions.dataDir}. */
  readonly dataDir: string | undefined;
  /** See {@link NodeOptions.apiKey}. */
  readonly apiKey: string | undefined;
  /** See {@link NodeOptions.bodyLimitBytes}. */
  readonly bodyLimitBytes: number;
  /** See {@link NodeOptions.headersTimeoutMs}. */
  readonly headersTimeoutMs: number;
  /** See {@link NodeOptions.requestTimeoutMs}. */
  readonly requestTimeoutMs: number;
  /** See {@link NodeOptions.fsync}. */
  readonly fsync: boolean;
  /** See {@link NodeOptions.snapshotEveryBytes}. */
  readonly snapshotEveryBytes: number;
  /** See {@link NodeOptions.snapshotMaxAgeMs}. */
  readonly snapshotMaxAgeMs: number;
  /** See {@link NodeOptions.logger}. */
  readonly logger: boolean;
}

const KEYS: readonly string[] = [
  'port',
  'host',
  'dataDir',
  'apiKey',
  'bodyLimitBytes',
  'headersTimeoutMs',
  'requestTimeoutMs',
  'fsync',
  'snapshotEveryBytes',
  'snapshotMaxAgeMs',
  'logger',
];

/**
 * Validates node options once and returns a frozen resolved copy.
 *
 * @param options - What the caller passed.
 * @returns The resolved options.
 * @throws {@link InvalidOptionError} naming the first bad option and what it received.
 *
 * @example
 * ```ts
 * resolveNodeOptions({ port: 0 }).host; // '127.0.0.1'
 * resolveNodeOptions({ port: -1 });     // throws: `port` must be an integer in [0, 65535]
 * ```
 */
export function resolveNodeOptions(options: NodeOptions = {}): ResolvedNodeOptions {
  const input = optionObject(options, 'options');
  rejectUnknownKeys(input, '', KEYS);
  const { headersTimeoutMs, requestTimeoutMs } = resolveRequestTimeouts(input);
  return Object.freeze({
    port: optionInteger(input.port, 'port', 0, 0, 65_535),
    host: optionString(input.host, 'host') ?? DEFAULT_HOST,
    dataDir: optionString(input.dataDir, 'dataDir'),
    apiKey: optionString(input.apiKey, 'apiKey'),
    bodyLimitBytes: optionInteger(
      input.bodyLimitBytes,
      'bodyLimitBytes',
      DEFAULT_BODY_LIMIT_BYTES,
      1024,
      1024 * 1024 * 1024,
    ),
    headersTimeoutMs,
    requestTimeoutMs,
    fsync: optionBoolean(input.fsync, 'fsync', true),
    snapshotEveryBytes: optionInteger(
      input.snapshotEveryBytes,
      'snapshotEveryBytes',
      DEFAULT_SNAPSHOT_EVERY_BYTES,
      1,
    ),
    snapshotMaxAgeMs: optionInteger(
      input.snapshotMaxAgeMs,
      'snapshotMaxAgeMs',
      DEFAULT_SNAPSHOT_MAX_AGE_MS,
      0,
      MAX_SNAPSHOT_MAX_AGE_MS,
    ),
    logger: optionBoolean(input.logger, 'logger', false),
  });
}

/**
 * Checks `headersTimeoutMs` and `requestTimeoutMs`: the headers' time is part of the whole
 * request's, so it may not be longer (Node refuses that too); unset, it defaults to the lower of
 * its default and the request timeout.
 *
 * @param input - The options object.
 * @returns Both timeouts.
 * @throws {@link InvalidOptionError} for a value out of range, or headers given more time than
 *   the whole request.
 * @example
 * ```ts
 * resolveRequestTimeouts({ requestTimeoutMs: 5000 }); // { headersTimeoutMs: 5000, requestTimeoutMs: 5000 }
 * ```
 */
export function resolveRequestTimeouts(input: Record<string, unknown>): {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
} {
  const requestTimeoutMs = optionInteger(
    input.requestTimeoutMs,
    'requestTimeoutMs',
    DEFAULT_REQUEST_TIMEOUT_MS,
    1,
    MAX_REQUEST_TIMEOUT_MS,
  );
  const headersTimeoutMs = optionInteger(
    input.headersTimeoutMs,
    'headersTimeoutMs',
    Math.min(DEFAULT_HEADERS_TIMEOUT_MS, requestTimeoutMs),
    1,
    MAX_REQUEST_TIMEOUT_MS,
  );
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new InvalidOptionError(
      `\`headersTimeoutMs\` (${headersTimeoutMs}) must not be larger than \`requestTimeoutMs\` (${requestTimeoutMs}): the headers are part of the request`,
    );
  }
  return { headersTimeoutMs, requestTimeoutMs };
}

function optionString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionError(
      `\`${name}\` must be a non-empty string, received ${describeValue(value)}`,
    );
  }
  return value;
}

function optionBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new InvalidOptionError(`\`${name}\` must be a boolean, received ${describeValue(value)}`);
  }
  return value;
}
