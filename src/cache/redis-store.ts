/**
 * The shared cache store on Redis (ioredis 6): results with `SET EX`, generations with `INCR`,
 * and the hit path in one round trip (a Lua script called by `EVALSHA` reads the generation and
 * then the value under it).
 *
 * A sick Redis must cost a search almost nothing, so the client is set up to fail fast rather
 * than wait: no offline queue (a command sent while disconnected rejects at once instead of
 * being buffered), no per-command retries, a short command timeout, and reconnection in the
 * background with a capped backoff. Connection errors are handled (never an unhandled `error`
 * event) and kept, so that the next failed command says what is wrong. A URL that cannot be
 * parsed does not throw either: every call of the store rejects with an `InvalidOptionError`
 * saying so, which the cache counts and steps around (fail-open).
 *
 * Works with a standalone Redis (or a proxy in front of one): the lookup script reads a key it
 * does not declare, which Redis Cluster refuses.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  BackendError,
  ClosedError,
  InvalidOptionError,
  UnavailableError,
  describeValue,
  messageOf,
} from '../core/errors.js';
import { optionInteger, optionObject, rejectUnknownKeys } from '../core/options.js';
import { parseGeneration, type CacheStore, type GenerationLookup } from './cache-store.js';

/** Options of {@link redisCacheStore}. Give `url` or `client`, not both. */
export interface RedisCacheStoreOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]`, `rediss://...` (TLS) or a unix socket path.
   * The store owns the connection it opens and closes it in `close()`.
   * @default 'redis://127.0.0.1:6379'
   */
  url?: string;
  /**
   * A client the caller owns (it is never closed by the store). Its own settings apply; give it
   * `enableOfflineQueue: false` and a `commandTimeout` so that a down Redis fails fast.
   */
  client?: Redis;
  /**
   * Prefix of every key the store writes.
   * @default 'vecmesh:'
   */
  prefix?: string;
  /**
   * How long one command may take before it fails (the search then goes to the backends).
   * @default 100
   */
  commandTimeoutMs?: number;
  /**
   * Longest wait between two reconnection attempts while Redis is down.
   * @default 1000
   */
  maxReconnectDelayMs?: number;
}

/** {@link RedisCacheStoreOptions} resolved. */
export interface ResolvedRedisCacheStoreOptions {
  /** The URL, when the store opens its own connection. */
  readonly url: string | undefined;
  /** The caller's client. */
  readonly client: Redis | undefined;
  /** Key prefix. */
  readonly prefix: string;
  /** Command timeout in milliseconds. */
  readonly commandTimeoutMs: number;
  /** Reconnection backoff cap in milliseconds. */
  readonly maxReconnectDelayMs: number;
}

/**
 * Validates {@link RedisCacheStoreOptions}. The URL's syntax is checked later, by the store
 * (a bad URL must not fail the application's start-up; see the module notes).
 *
 * @throws `InvalidOptionError` naming the bad option.
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
  if (raw.client !== undefined && !(raw.client instanceof Redis)) {
    throw new InvalidOptionError(
      `\`redisCacheStore.client\` must be an ioredis Redis client, received ${describeValue(raw.client)}`,
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
  return Object.freeze({
    url: raw.client === undefined ? (raw.url ?? 'redis://127.0.0.1:6379') : undefined,
    client: raw.client,
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

/** Reads the generation, then the value under it: one round trip per lookup. */
const LOOKUP_SCRIPT =
  "local g = redis.call('GET', KEYS[1]) or '0'\nreturn {g, redis.call('GET', ARGV[1] .. g)}";
const LOOKUP_SHA = createHash('sha1').update(LOOKUP_SCRIPT).digest('hex');

/** The URL without its password, for messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_m, auth: string) =>
    auth.includes(':') ? `//${auth.slice(0, auth.indexOf(':'))}:***@` : '//***@',
  );
}

/** Why `url` cannot be used, or `undefined` when it looks like a Redis URL or socket path. */
function urlProblem(url: string): string | undefined {
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

/** Whether the client can take commands (a function, so that TypeScript re-reads the status). */
function isReady(client: Redis): boolean {
  return client.status === 'ready';
}

/** The Redis store; see {@link redisCacheStore}. */
export class RedisCacheStore implements CacheStore {
  private readonly client: Redis | undefined;
  private readonly owned: boolean;
  private readonly where: string;
  private readonly misconfigured: InvalidOptionError | undefined;
  private readonly onError = (error: Error): void => {
    this.lastError = error;
  };
  private readonly onReady = (): void => {
    this.lastError = undefined;
  };
  private lastError: Error | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;

  /** @param options - Resolved options. */
  constructor(private readonly options: ResolvedRedisCacheStoreOptions) {
    const problem = options.url === undefined ? undefined : urlProblem(options.url);
    if (problem !== undefined) this.misconfigured = new InvalidOptionError(problem);
    this.owned = options.client === undefined;
    this.where = options.url === undefined ? 'the given Redis client' : redactRedisUrl(options.url);
    if (options.client !== undefined) {
      this.client = options.client;
    } else if (options.url !== undefined && problem === undefined) {
      this.client = new Redis(options.url, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        commandTimeout: options.commandTimeoutMs,
        connectTimeout: Math.max(1000, options.commandTimeoutMs * 10),
        retryStrategy: (times) =>
          Math.min(50 * 2 ** Math.min(times, 10), options.maxReconnectDelayMs),
      });
    }
    this.client?.on('error', this.onError);
    this.client?.on('ready', this.onReady);
  }

  /** {@inheritDoc CacheStore.get} */
  async get(key: string): Promise<string | undefined> {
    const client = await this.ready();
    const value = await this.command(() => client.get(this.options.prefix + key));
    return value ?? undefined;
  }

  /** {@inheritDoc CacheStore.set} */
  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    const client = await this.ready();
    await this.command(() => client.set(this.options.prefix + key, value, 'EX', ttlSeconds));
  }

  /** {@inheritDoc CacheStore.generation} */
  async generation(genKey: string): Promise<number> {
    const client = await this.ready();
    const raw = await this.command(() => client.get(this.options.prefix + genKey));
    return this.generationOf(genKey, raw);
  }

  /** {@inheritDoc CacheStore.bumpGeneration} */
  async bumpGeneration(genKey: string): Promise<number> {
    const client = await this.ready();
    return this.command(() => client.incr(this.options.prefix + genKey));
  }

  /** {@inheritDoc CacheStore.getWithGeneration} */
  async getWithGeneration(genKey: string, keyPrefix: string): Promise<GenerationLookup> {
    const client = await this.ready();
    const fullGen = this.options.prefix + genKey;
    const fullPrefix = this.options.prefix + keyPrefix;
    const reply = await this.command(async () => {
      try {
        return await client.evalsha(LOOKUP_SHA, 1, fullGen, fullPrefix);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return client.eval(LOOKUP_SCRIPT, 1, fullGen, fullPrefix); // loads it for next time
      }
    });
    if (!Array.isArray(reply) || reply.length !== 2) {
      throw new BackendError(
        `Redis at ${this.where} answered the cache lookup with ${describeValue(reply)}, expected [generation, value]`,
      );
    }
    const [rawGen, rawValue] = reply as [unknown, unknown];
    const generation = this.generationOf(genKey, rawGen);
    const value =
      typeof rawValue === 'string'
        ? rawValue
        : Buffer.isBuffer(rawValue)
          ? rawValue.toString('utf8')
          : undefined;
    return { generation, value };
  }

  /** {@inheritDoc CacheStore.close} */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const client = this.client;
    if (client === undefined) return;
    client.off('ready', this.onReady);
    if (!this.owned) {
      client.off('error', this.onError);
      return;
    }
    try {
      if (client.status === 'ready') await client.quit();
    } catch {
      // Closing anyway.
    } finally {
      client.disconnect();
      // Errors emitted while the socket winds down must still be handled.
      setTimeout(() => client.off('error', this.onError), 1000).unref();
    }
  }

  /** The client, connected; starts the connection of an owned client on first use. */
  private async ready(): Promise<Redis> {
    if (this.misconfigured !== undefined) throw this.misconfigured;
    const client = this.client;
    if (this.closed || client === undefined) {
      throw new ClosedError(`the Redis cache store for ${this.where} is closed`);
    }
    if (client.status === 'ready') return client;
    if (this.owned && (client.status === 'wait' || client.status === 'end')) {
      this.connecting ??= client.connect().then(
        () => {
          this.connecting = undefined;
        },
        (error: unknown) => {
          this.connecting = undefined;
          // The 'error' event (e.g. ECONNREFUSED) says more than "Connection is closed."
          if (error instanceof Error) this.lastError ??= error;
        },
      );
    }
    if (this.connecting !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.connecting,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.options.commandTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    if (isReady(client)) return client;
    throw this.unavailable(`is not connected (status ${client.status})`);
  }

  /** Runs a command, turning a failure into a typed error that names the Redis. */
  private async command<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const message = messageOf(error);
      const reply = (error as { name?: unknown }).name === 'ReplyError';
      if (reply && !/^(LOADING|BUSY|MASTERDOWN|TRYAGAIN)/.test(message)) {
        // A reply error (WRONGTYPE, NOPERM, OOM, ...): Redis is up but refuses the command.
        throw new BackendError(`Redis at ${this.where} refused a cache command: ${message}`, {
          cause: error,
        });
      }
      throw this.unavailable(`failed a cache command: ${message}`, error);
    }
  }

  private unavailable(what: string, cause?: unknown): UnavailableError {
    const last =
      this.lastError === undefined ? '' : ` (last connection error: ${this.lastError.message})`;
    return new UnavailableError(`Redis at ${this.where} ${what}${last}`, {
      cause: cause ?? this.lastError,
    });
  }

  private generationOf(genKey: string, raw: unknown): number {
    const generation = parseGeneration(Buffer.isBuffer(raw) ? raw.toString('utf8') : raw);
    if (generation === undefined) {
      throw new BackendError(
        `Redis key ${describeValue(this.options.prefix + genKey)} holds ${describeValue(raw)}, not a generation (a non-negative integer)`,
      );
    }
    return generation;
  }
}

/**
 * Creates a cache store on Redis, shared by every process that uses the same Redis and prefix:
 * a write in one process invalidates the cached searches of every other.
 *
 * Constructing it does no I/O; the connection opens on first use. An unreachable or
 * misconfigured Redis never throws out of a search: {@link SearchCache} counts the error and
 * computes the result.
 *
 * @param options - URL or client, key prefix, timeouts.
 * @throws `InvalidOptionError` for an option of the wrong type or an unknown option (a URL
 * string that is not a Redis URL is reported by every call of the store instead).
 * @example
 * ```ts
 * const cache = new SearchCache({
 *   store: redisCacheStore({ url: process.env.REDIS_URL, prefix: 'myapp:vecmesh:' }),
 *   ttlSeconds: 600,
 * });
 * ```
 */
export function redisCacheStore(options: RedisCacheStoreOptions = {}): RedisCacheStore {
  return new RedisCacheStore(resolveRedisCacheStoreOptions(options));
}
