/**
 * The shared cache store on Redis: results with `SET EX`, and the hit path in one round trip (a
 * Lua script called by `EVALSHA` reads the generation and the value under it).
 *
 * Generations are bumped by another script, to the largest of the current one plus one, the
 * caller's `atLeast`, and the Redis server's clock in microseconds (`TIME`). A Redis restarted
 * from an older snapshot (or a promoted replica that lagged) has lost the latest bumps; counting
 * on from the generation it went back to would reissue the lost ones, under which results may
 * have been stored meanwhile by searches that read them before the restart. The clock is past
 * every lost one (unless the server's clock went back further than the lost history), and
 * `atLeast` (one more than the highest the cache saw) covers the rest for what the process saw.
 * A value that is not a generation is overwritten by a bump (lookups report it until then).
 * Needs Redis 5 or later (scripts replicated by their effects, so `TIME` may precede a write).
 *
 * A sick Redis must cost a search almost nothing, so the connection the store opens is set up
 * to fail fast rather than wait: no offline queue (a command sent while disconnected rejects at
 * once instead of being buffered), no per-command retries, a short command timeout, and
 * reconnection in the background with a capped backoff. Connection errors are handled (never an
 * unhandled `error` event) and kept, so that the next failed command says what is wrong. A URL
 * that cannot be parsed does not throw either: every call of the store rejects with an
 * `InvalidOptionError` saying so, which the cache counts and steps around (fail-open).
 *
 * ioredis is an optional peer: it is loaded only when the store opens its own connection (a
 * caller's `client` brings its own ioredis, of any copy).
 *
 * Redis Cluster: every key of a collection starts with the prefix and the collection's hash tag
 * (`vecmesh:{c:docs}:...`, see `collectionTag()`), so a collection's generation and results share
 * one hash slot, and the lookup script declares every key it reads (`KEYS[1]` the generation,
 * `KEYS[2]` the value under the generation the store expects). When the generation has moved
 * since this process last saw it, the script returns it alone and the store asks again for the
 * value under it: one more round trip per collection after a write, none otherwise.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { Redis as IORedisClient } from 'ioredis';
import {
  BackendError,
  ClosedError,
  InvalidOptionError,
  UnavailableError,
  describeValue,
  messageOf,
} from '../core/errors.js';
import { loadOptional } from '../core/optional-dependency.js';
import { parseGeneration, type CacheStore, type GenerationLookup } from './cache-store.js';
import {
  redactRedisUrl,
  redisUrlProblem,
  resolveRedisCacheStoreOptions,
  type RedisCacheClient,
  type RedisCacheStoreOptions,
  type ResolvedRedisCacheStoreOptions,
} from './redis-store-options.js';

/**
 * Reads the generation (`KEYS[1]`); when it is the expected one (`ARGV[1]`), also the value
 * under it (`KEYS[2]`), else only the generation. Every key it reads is declared, so that a
 * Redis Cluster (or a proxy) routes it to the node that holds them.
 */
const LOOKUP_SCRIPT =
  "local g = redis.call('GET', KEYS[1]) or '0'\nif g ~= ARGV[1] then return {g} end\nreturn {g, redis.call('GET', KEYS[2])}";
const LOOKUP_SHA = createHash('sha1').update(LOOKUP_SCRIPT).digest('hex');

/**
 * Sets the generation (`KEYS[1]`) to the largest of: the current one plus one (a value that is
 * not a non-negative integer counts as 0), `ARGV[1]`, and the server's clock in microseconds;
 * returns it as text. `%.0f` writes the integer exactly (Lua numbers are doubles, exact below
 * 2^53, which the clock reaches in the year 2255; `tostring` would round to 14 digits).
 */
const BUMP_SCRIPT = [
  "local g = tonumber(redis.call('GET', KEYS[1]) or '0')",
  'if g == nil or g < 0 or g ~= math.floor(g) then g = 0 end',
  "local t = redis.call('TIME')",
  'local n = math.max(g + 1, tonumber(ARGV[1]), tonumber(t[1]) * 1000000 + tonumber(t[2]))',
  "local s = string.format('%.0f', n)",
  "redis.call('SET', KEYS[1], s)",
  'return s',
].join('\n');
const BUMP_SHA = createHash('sha1').update(BUMP_SCRIPT).digest('hex');

/** Collections whose last seen generation is remembered; more evict the oldest. */
const MAX_REMEMBERED_GENERATIONS = 4096;

/** Whether the client can take commands (a function, so that TypeScript re-reads the status). */
function isReady(client: RedisCacheClient): boolean {
  return client.status === 'ready';
}

/** A stored value as text (ioredis answers strings, or Buffers from a client set up so). */
function textOf(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  return Buffer.isBuffer(raw) ? raw.toString('utf8') : undefined;
}

/** The Redis store; see {@link redisCacheStore}. */
export class RedisCacheStore implements CacheStore {
  private readonly client: RedisCacheClient | undefined;
  /** The connection the store opened (and closes), when it was not given one. */
  private readonly owned: IORedisClient | undefined;
  private readonly where: string;
  private readonly misconfigured: InvalidOptionError | undefined;
  /** The generation last read per generation key, which the lookup script expects. */
  private readonly seen = new Map<string, number>();
  private readonly onError = (error: Error): void => {
    this.lastError = error;
  };
  private readonly onReady = (): void => {
    this.lastError = undefined;
  };
  private lastError: Error | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;

  /**
   * @param options - Resolved options.
   * @throws `MissingDependencyError` when the store must open its own connection (`url`) and
   *   ioredis is not installed.
   */
  constructor(private readonly options: ResolvedRedisCacheStoreOptions) {
    const problem = options.url === undefined ? undefined : redisUrlProblem(options.url);
    if (problem !== undefined) this.misconfigured = new InvalidOptionError(problem);
    this.where = options.url === undefined ? 'the given Redis client' : redactRedisUrl(options.url);
    if (options.client !== undefined) {
      this.client = options.client;
    } else if (options.url !== undefined && problem === undefined) {
      const { Redis } = loadOptional('ioredis', '`redisCacheStore({ url })`');
      this.owned = new Redis(options.url, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        commandTimeout: options.commandTimeoutMs,
        connectTimeout: Math.max(1000, options.commandTimeoutMs * 10),
        retryStrategy: (times) =>
          Math.min(50 * 2 ** Math.min(times, 10), options.maxReconnectDelayMs),
      });
      this.client = this.owned;
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

  /**
   * Moves the generation at `genKey` to the largest of the current one plus one, `atLeast` and
   * the Redis server's clock in microseconds, in one script: never a generation this Redis
   * issued before, also after it lost its latest writes (see the module comment).
   *
   * @param genKey - The collection's generation key.
   * @param atLeast - The smallest acceptable new generation.
   * @returns The new generation.
   * @throws `UnavailableError` when Redis cannot be reached, `BackendError` when it refuses.
   */
  async bumpGeneration(genKey: string, atLeast = 0): Promise<number> {
    const client = await this.ready();
    const reply = await this.script(client, BUMP_SHA, BUMP_SCRIPT, [
      this.options.prefix + genKey,
      String(Number.isFinite(atLeast) ? Math.max(0, Math.ceil(atLeast)) : 0),
    ]);
    const generation = this.generationOf(genKey, reply);
    this.remember(genKey, generation); // this process's next lookup expects it
    return generation;
  }

  /**
   * Reads the generation `g` at `genKey`, then the value at `keyPrefix + g`: one round trip
   * while the generation is the one this store last saw, and after it moved a second one for
   * the value under the new generation (when it moves again in between, no value: a miss under
   * the newest generation).
   *
   * @param genKey - The collection's generation key.
   * @param keyPrefix - The search's key without the generation (same collection tag).
   * @returns The generation and the value under it, if any.
   */
  async getWithGeneration(genKey: string, keyPrefix: string): Promise<GenerationLookup> {
    const client = await this.ready();
    const expected = this.seen.get(genKey) ?? 0;
    const first = await this.lookup(client, genKey, keyPrefix, expected);
    if (first.generation === expected) return first;
    this.remember(genKey, first.generation);
    const second = await this.lookup(client, genKey, keyPrefix, first.generation);
    if (second.generation !== first.generation) this.remember(genKey, second.generation);
    return second;
  }

  /** {@inheritDoc CacheStore.close} */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const client = this.owned;
    this.client?.off('ready', this.onReady);
    if (client === undefined) {
      this.client?.off('error', this.onError);
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
  private async ready(): Promise<RedisCacheClient> {
    if (this.misconfigured !== undefined) throw this.misconfigured;
    const client = this.client;
    if (this.closed || client === undefined) {
      throw new ClosedError(`the Redis cache store for ${this.where} is closed`);
    }
    if (client.status === 'ready') return client;
    const owned = this.owned;
    if (owned !== undefined && (owned.status === 'wait' || owned.status === 'end')) {
      this.connecting ??= owned.connect().then(
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

  /** One run of the lookup script, expecting generation `expected`. */
  private async lookup(
    client: RedisCacheClient,
    genKey: string,
    keyPrefix: string,
    expected: number,
  ): Promise<GenerationLookup> {
    const args = [
      this.options.prefix + genKey,
      this.options.prefix + keyPrefix + String(expected),
      String(expected),
    ];
    const reply = await this.script(client, LOOKUP_SHA, LOOKUP_SCRIPT, args, 2);
    if (!Array.isArray(reply) || reply.length < 1 || reply.length > 2) {
      throw new BackendError(
        `Redis at ${this.where} answered the cache lookup with ${describeValue(reply)}, expected [generation] or [generation, value]`,
      );
    }
    const generation = this.generationOf(genKey, reply[0]);
    if (reply.length === 1 || generation !== expected) return { generation, value: undefined };
    return { generation, value: textOf(reply[1]) };
  }

  /** Runs a script by its SHA1, sending its text when Redis does not know it (yet). */
  private script(
    client: RedisCacheClient,
    sha: string,
    text: string,
    keysAndArgs: string[],
    numKeys = 1,
  ): Promise<unknown> {
    return this.command(async () => {
      try {
        return await client.evalsha(sha, numKeys, ...keysAndArgs);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return client.eval(text, numKeys, ...keysAndArgs); // loads it for next time
      }
    });
  }

  private remember(genKey: string, generation: number): void {
    this.seen.delete(genKey);
    if (this.seen.size >= MAX_REMEMBERED_GENERATIONS) {
      const oldest = this.seen.keys().next();
      if (oldest.done !== true) this.seen.delete(oldest.value);
    }
    this.seen.set(genKey, generation);
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
 * With `url` the store connects with ioredis, an optional peer dependency (`npm install
 * ioredis`). With `client` it uses the caller's ioredis `Redis` or `Cluster` (ioredis 5.4+ or
 * 6, any copy). On a Redis Cluster each collection's keys share one hash slot (`{c:<name>}` hash
 * tag), so the collections spread over the cluster's nodes, not the results of one collection.
 *
 * @param options - URL or client, key prefix, timeouts.
 * @throws `InvalidOptionError` for an option of the wrong type or an unknown option, or a
 *   `client` that lacks a method the store calls (a URL string that is not a Redis URL is
 *   reported by every call of the store instead).
 * @throws `MissingDependencyError` when the store must connect to `url` and ioredis is not
 *   installed.
 * @example
 * ```ts
 * const cache = new SearchCache({
 *   store: redisCacheStore({ url: process.env.REDIS_URL, prefix: 'myapp:vecmesh:' }),
 *   ttlSeconds: 600,
 * });
 * // On a Redis Cluster:
 * import { Cluster } from 'ioredis';
 * const store = redisCacheStore({
 *   client: new Cluster([{ host: 'redis-0', port: 6379 }], {
 *     enableOfflineQueue: false,
 *     redisOptions: { commandTimeout: 100 },
 *   }),
 * });
 * ```
 */
export function redisCacheStore(options: RedisCacheStoreOptions = {}): RedisCacheStore {
  return new RedisCacheStore(resolveRedisCacheStoreOptions(options));
}
