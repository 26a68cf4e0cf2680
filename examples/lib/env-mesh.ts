/**
 * What the examples read from the environment to run against real servers (the nodes and Redis
 * of `docker/compose.yaml`) instead of in-process memory backends. Every variable is optional:
 * with none set, an example keeps its in-process default.
 *
 * - `VECMESH_NODES`: reference-node URLs. Commas separate the replicas of one shard, semicolons
 *   separate shards: `http://node-a:7001,http://node-b:7002` is one shard of two replicas,
 *   `http://node-a:7001;http://node-b:7002` two shards of one replica each.
 * - `VECMESH_API_KEY`: the nodes' API key (`vecmesh node` reads the same variable).
 * - `REDIS_URL`: a Redis for the shared search result cache, e.g. `redis://127.0.0.1:6379`.
 * - `HOST`, `PORT`: where an example that serves HTTP listens (default `127.0.0.1`, a free port).
 */
import {
  InvalidOptionError,
  redisCacheStore,
  type CacheOptions,
  type ClusterOptions,
} from 'vecmesh';
import { referenceBackend } from 'vecmesh/node';

/** The variables read, as `process.env` holds them. */
export type ExampleEnv = Readonly<Record<string, string | undefined>>;

/** A set variable, trimmed; `undefined` when unset or blank. */
function read(env: ExampleEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The shards `VECMESH_NODES` names, each a list of replica URLs.
 *
 * @param env - The environment, `process.env` by default.
 * @returns One URL list per shard, or `undefined` when `VECMESH_NODES` is unset or blank.
 * @throws {@link InvalidOptionError} when a shard names no URL (e.g. `a,,b` or a trailing `;`).
 * @example
 * ```ts
 * nodeShardsFromEnv({ VECMESH_NODES: 'http://a:7001,http://b:7002' }); // [['http://a:7001', 'http://b:7002']]
 * ```
 */
export function nodeShardsFromEnv(env: ExampleEnv = process.env): string[][] | undefined {
  const value = read(env, 'VECMESH_NODES');
  if (value === undefined) return undefined;
  return value.split(';').map((shard, s) => {
    const urls = shard.split(',').map((url) => url.trim());
    if (urls.some((url) => url === '')) {
      throw new InvalidOptionError(
        `VECMESH_NODES: shard ${s} has an empty URL in ${JSON.stringify(shard)} (commas separate replicas, semicolons shards)`,
      );
    }
    return urls;
  });
}

/**
 * A cluster of reference nodes from `VECMESH_NODES` and `VECMESH_API_KEY`: shards `s0`, `s1`,
 * ..., replicas `r0`, `r1`, ... in the order given. Constructing it does no I/O.
 *
 * @param env - The environment, `process.env` by default.
 * @returns The cluster, or `undefined` when `VECMESH_NODES` is unset (use in-process backends).
 * @throws {@link InvalidOptionError} for a malformed list or URL.
 * @example
 * ```ts
 * const cluster = nodeClusterFromEnv() ?? memoryCluster();
 * const mesh = createMesh({ clusters: [cluster] });
 * ```
 */
export function nodeClusterFromEnv(env: ExampleEnv = process.env): ClusterOptions | undefined {
  const shards = nodeShardsFromEnv(env);
  if (shards === undefined) return undefined;
  const apiKey = read(env, 'VECMESH_API_KEY');
  return {
    name: 'nodes',
    shards: shards.map((urls, s) => ({
      name: `s${s}`,
      replicas: urls.map((url, r) => ({
        name: `r${r}`,
        backend: referenceBackend(apiKey === undefined ? { url } : { url, apiKey }),
      })),
    })),
  };
}

/**
 * The result cache: on Redis when `REDIS_URL` is set, else the per-process memory cache.
 *
 * @param env - The environment, `process.env` by default.
 * @returns Options for `createMesh({ cache })`. The mesh closes the Redis connection it opens.
 * @example
 * ```ts
 * createMesh({ clusters, cache: cacheFromEnv() });
 * ```
 */
export function cacheFromEnv(env: ExampleEnv = process.env): CacheOptions {
  const url = read(env, 'REDIS_URL');
  return url === undefined ? {} : { store: redisCacheStore({ url }) };
}

/**
 * Where to listen: `HOST` (default `127.0.0.1`; `0.0.0.0` in a container) and `PORT` (default
 * `fallbackPort`).
 *
 * @param env - The environment, `process.env` by default.
 * @param fallbackPort - The port when `PORT` is unset; 0 picks a free one.
 * @returns Host and port.
 * @throws {@link InvalidOptionError} when `PORT` is not an integer in [0, 65535].
 * @example
 * ```ts
 * listenFromEnv({ HOST: '0.0.0.0', PORT: '9464' }); // { host: '0.0.0.0', port: 9464 }
 * ```
 */
export function listenFromEnv(
  env: ExampleEnv = process.env,
  fallbackPort = 0,
): { host: string; port: number } {
  const host = read(env, 'HOST') ?? '127.0.0.1';
  const raw = read(env, 'PORT');
  const port = raw === undefined ? fallbackPort : Number(raw);
  if (!/^[0-9]+$/.test(raw ?? '0') || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidOptionError(`PORT must be an integer in [0, 65535], received ${raw}`);
  }
  return { host, port };
}
