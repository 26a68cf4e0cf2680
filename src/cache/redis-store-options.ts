/**
 * Options of the Redis cache store, the shape of the Redis client it accepts, and their checks.
 *
 * vecmesh's types do not depend on ioredis (an optional peer): a caller's client is described
 * by {@link RedisCacheClient}, the few commands the store sends, and checked by shape, never
 * with `instanceof` (the application's ioredis may be another copy or version than the one
 * vecmesh would load).
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../core/errors.js';
import { checkShape } from '../core/optional-dependency.js';
import { optionInteger, optionObject, rejectUnknownKeys } from '../core/options.js';

/**
 * The part of a Redis client that the cache store uses. An ioredis `Redis` or `Cluster`
 * (ioredis 5.4 or later, or 6) fits, from whichever copy of ioredis the application has.
 *
 * @example
 * ```ts
 * import { Cluster } from 'ioredis';
 * const client: RedisCacheClient = new Cluster([{ host: 'redis-0', port: 6379 }]);
 * const store = redisCacheStore({ client });
 * ```
 */
export interface RedisCacheClient {
  /** The connection state; the store sends commands only while it is `'ready'`. */
  readonly status: string;
  /** `GET key`: the value, or `null` when there is none. */
  get(key: string): Promise<string | null>;
  /** `SET key value EX seconds`. */
  set(key: string, value: string, expiry: 'EX', seconds: number): Promise<unknown>;
  /** `EVALSHA sha1 numKeys ...keys ...args`: the one-round-trip lookup, and generation bumps. */
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /** `EVAL script numKeys ...keys ...args`, when Redis does not know the script yet. */
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /** Listens to `error` (kept for messages, so never unhandled) and `ready` events. */
  on(event: 'error' | 'ready', listener: (error: Error) => void): unknown;
  /** Removes a listener the store added (in `close()`). */
  off(event: 'error' | 'ready', listener: (error: Error) => void): unknown;
}

/** The methods {@link RedisCacheClient} needs, for the shape check. */
const CLIENT_METHODS = ['get', 'set', 'evalsha', 'eval', 'on', 'off'] as const;

/** Options of `redisCacheStore()`. Give `url` or `client`, not both. */
export interface RedisCacheStoreOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]`, `rediss://...` (TLS) or a unix socket path.
   * The store opens its own connection with ioredis (which must then be installed), owns it and
   * closes it in `close()`. For a Redis Cluster, pass a `Cluster` as `client` instead.
   * @default 'redis://127.0.0.1:6379'
   */
  url?: string;
  /**
   * A client the caller owns (it is never closed by the store): an ioredis `Redis` or `Cluster`
   * (ioredis 5.4+ or 6). Its own settings apply; give it `enableOfflineQueue: false` and a
   * `commandTimeout` so that a down Redis fails fast.
   * @default undefined (the store connects to `url`)
   */
  client?: RedisCacheClient;
  /**
   * Prefix of every key the store writes. It must not contain `{` or `}`: each key carries its
   * collection's `{c:<name>}` hash tag after the prefix (see `redisCacheStore()`).
   * @default 'vecmesh:'
   */
  prefix?: string;
  /**
   * How long one command may take before it fails (the search then goes to the backends).
   * Applies to the connection the store opens, not to a caller's `client`.
   * @default 100
   */
  commandTimeoutMs?: number;
  /**
   * Longest wait between two reconnection attempts while Redis is down (own connection only).
   * @default 1000
   */
  maxReconnectDelayMs?: number;
}

/** {@link RedisCacheStoreOptions} resolved. */
export interface ResolvedRedisCacheStoreOptions {
  /** The URL, when the store opens its own connection. */
  readonly url: string | undefined;
  /** The caller's client. */
  readonly client: RedisCacheClient | undefined;
  /** Key prefix. */
  readonly prefix: string;
  /** Command timeout in milliseconds. */
  readonly commandTimeoutMs: number;
  /** Reconnection backoff cap in milliseconds. */
  readonly maxReconnectDelayMs: number;
}

/**
 * Validates {@link RedisCacheStoreOptions}. The URL's syntax is checked later, by the store
 * (a bad URL must not fail the application's start-up; see `redisCacheStore()`).
 *
 * @param input - What the caller passed.
 * @returns The options with defaults, frozen.
 * @throws `InvalidOptionError` naming the bad option; for a `client` that is not shaped like
 *   an ioredis client, every method it lacks.
 * @example
 * ```ts
 * resolveRedisCacheStoreOptions({ prefix: 'app:' }).url; // 'redis://127.0.0.1:6379'
 * resolveRedisCacheStoreOptions({ client: {} });
 * // throws InvalidOptionError: `redisCacheStore.client` must be an ioredis Redis or Cluster
 * //   client (ioredis 5.4+ or 6): it has no method `get`, ...
 * ```
 */
export function resolveRedisCacheStoreOptions(input: unknown): ResolvedRedisCacheStoreOptions {
  const raw = optionObject(input ?? {}, 'redisCacheStore');
  rejectUnknownKeys(raw, 'redisCacheStore', [
    'url',
    'client',
    'prefix',
    'commandTimeoutMs',
    'maxReconnectDelayMs',
  ]);
  if (raw.url !== undefined && typeof raw.url !== 'string') {
    throw new InvalidOptionError(
      `\`redisCacheStore.url\` must be a string, received ${describeValue(raw.url)}`,
    );
  }
  if (raw.client !== undefined) {
    checkShape(
      raw.client,
      'redisCacheStore.client',
      'an ioredis Redis or Cluster client (ioredis 5.4+ or 6)',
      { methods: CLIENT_METHODS, strings: ['status'] },
    );
  }
  if (raw.client !== undefined && raw.url !== undefined) {
    throw new InvalidOptionError(
      'give `redisCacheStore.url` or `redisCacheStore.client`, not both',
    );
  }
  if (raw.prefix !== undefined && typeof raw.prefix !== 'string') {
    throw new InvalidOptionError(
      `\`redisCacheStore.prefix\` must be a string, received ${describeValue(raw.prefix)}`,
    );
  }
  if (raw.prefix !== undefined && /[{}]/.test(raw.prefix)) {
    // A brace in the prefix would change which part of each key Redis Cluster hashes.
    throw new InvalidOptionError(
      `\`redisCacheStore.prefix\` must not contain \`{\` or \`}\` (each key carries its collection's hash tag after the prefix), received ${describeValue(raw.prefix)}`,
    );
  }
  return Object.freeze({
    url: raw.client === undefined ? (raw.url ?? 'redis://127.0.0.1:6379') : undefined,
    client: raw.client as RedisCacheClient | undefined,
    prefix: raw.prefix ?? 'vecmesh:',
    commandTimeoutMs: optionInteger(
      raw.commandTimeoutMs,
      'redisCacheStore.commandTimeoutMs',
      100,
      1,
    ),
    maxReconnectDelayMs: optionInteger(
      raw.maxReconnectDelayMs,
      'redisCacheStore.maxReconnectDelayMs',
      1000,
      1,
    ),
  });
}

/**
 * The URL without its password, for messages.
 *
 * @example
 * ```ts
 * redactRedisUrl('redis://user:secret@host:6379'); // 'redis://user:***@host:6379'
 * ```
 */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_m, auth: string) =>
    auth.includes(':') ? `//${auth.slice(0, auth.indexOf(':'))}:***@` : '//***@',
  );
}

/**
 * Why `url` cannot be used, or `undefined` when it looks like a Redis URL or socket path.
 *
 * @example
 * ```ts
 * redisUrlProblem('http://x'); // '`redisCacheStore.url` must start with redis:// ...'
 * ```
 */
export function redisUrlProblem(url: string): string | undefined {
  if (url.startsWith('/')) return undefined;
  if (!/^rediss?:\/\//i.test(url)) {
    return `\`redisCacheStore.url\` must start with redis:// or rediss:// (or be a socket path), received ${describeValue(redactRedisUrl(url))}`;
  }
  try {
    const parsed = new URL(url);
    if (parsed.hostname === '') throw new Error('no host');
  } catch {
    return `\`redisCacheStore.url\` is not a valid URL: received ${describeValue(redactRedisUrl(url))}`;
  }
  return undefined;
}
