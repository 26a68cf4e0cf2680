/**
 * The Redis cache store on a real Redis Cluster, through ioredis `Cluster` clients of ioredis 6
 * and of ioredis 5 (a second copy, `ioredis-5`): a single-node cluster (every slot on one
 * server) and a two-node one, where a key of another slot may live on the other node, which is
 * what a lookup script reading an undeclared key of another slot runs into.
 *
 * The servers are the tests' Redis server (test/helpers/redis-server.ts), started here with
 * `--cluster-enabled yes`; the slots are assigned with `CLUSTER ADDSLOTSRANGE`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { Cluster as Cluster5 } from 'ioredis-5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generationKey, type SearchKey } from '../../../src/cache/cache-key.js';
import type { RedisCacheClient } from '../../../src/cache/redis-store-options.js';
import { redisCacheStore } from '../../../src/cache/redis-store.js';
import { SearchCache, type CacheEvent } from '../../../src/cache/search-cache.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

/** A running cluster: its nodes' ports and an admin connection to each. */
interface TestCluster {
  readonly ports: readonly number[];
  readonly admins: readonly Redis[];
  stop(): Promise<void>;
}

/** Polls `condition` until it holds (the cluster's state changes on its own timer). */
async function until(what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A cluster node: the tests' Redis server with cluster mode on. */
function startNode(dir: string): Promise<RedisServer> {
  return startRedisServer({
    dir,
    extraArgs: (port) => [
      ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)],
      // Without it a lone node announces an empty address, which clients cannot follow.
      ...['--cluster-announce-ip', '127.0.0.1'],
    ],
  });
}

/** Starts `nodes` cluster nodes, splits the 16384 slots between them, and waits for `ok`. */
async function startCluster(nodes: number): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'vecmesh-cluster-'));
  const ports: number[] = [];
  const servers: RedisServer[] = [];
  const admins: Redis[] = [];
  const stop = async (): Promise<void> => {
    for (const admin of admins) admin.disconnect();
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < nodes; i++) {
      const server = await startNode(dir);
      servers.push(server);
      ports.push(server.port);
      admins.push(new Redis(server.port, '127.0.0.1'));
    }
    const per = Math.ceil(16384 / nodes);
    for (const [i, admin] of admins.entries()) {
      await admin.call('CLUSTER', 'ADDSLOTSRANGE', i * per, Math.min(16383, (i + 1) * per - 1));
      if (i > 0) await admins[0]!.call('CLUSTER', 'MEET', '127.0.0.1', ports[i]!);
    }
    await until('cluster_state:ok on every node', async () => {
      const infos = await Promise.all(admins.map((a) => a.call('CLUSTER', 'INFO')));
      return infos.every(
        (info) =>
          String(info).includes('cluster_state:ok') &&
          String(info).includes(`cluster_known_nodes:${nodes}`),
      );
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { ports, admins, stop };
}

const keyOf = (i: number): SearchKey => ({
  collection: 'docs',
  epoch: 1,
  vectors: [new Float32Array([i, -i, 0.5])],
  topK: 3,
  offset: 0,
  includePayload: false,
  includeVector: false,
});
/** Enough searches that, without hash tags, some result keys would land on the other node. */
const KEYS = Array.from({ length: 8 }, (_, i) => keyOf(i));

const CLIENTS = [
  ['ioredis 6', Cluster],
  ['ioredis 5', Cluster5],
] as const;

describe.each([1, 2])('redisCacheStore on a %i-node Redis Cluster', (nodes) => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster(nodes);
  }, 60_000);
  afterAll(async () => {
    await cluster.stop();
  });

  describe.each(CLIENTS)('with a %s Cluster client', (_version, ClusterClass) => {
    it('shares results, invalidates and finds results under a newer generation', async () => {
      const prefix = `t:${randomUUID()}:`;
      const clients = [0, 1].map(
        () =>
          new ClusterClass([{ host: '127.0.0.1', port: cluster.ports[0]! }], {
            lazyConnect: true,
            enableOfflineQueue: false,
            redisOptions: { commandTimeout: 2000 },
          }),
      );
      await Promise.all(clients.map((c) => c.connect()));
      const events: CacheEvent[] = [];
      const [a, b] = clients.map(
        (client: RedisCacheClient) =>
          new SearchCache({ store: redisCacheStore({ client, prefix }) }, (e) => events.push(e)),
      ) as [SearchCache, SearchCache];
      let calls = 0;
      const compute = (i: number) => () => {
        calls++;
        return Promise.resolve([[{ id: i, score: 1 }]]);
      };

      for (const [i, k] of KEYS.entries())
        expect((await a.getOrCompute(k, compute(i))).cached).toBe(false);
      await a.flushWrites();
      for (const [i, k] of KEYS.entries()) {
        expect(await b.getOrCompute(k, compute(i))).toEqual({
          value: [[{ id: i, score: 1 }]],
          cached: true,
        });
      }
      // A write through b: a's next lookups meet a generation they have not seen and miss.
      const generation = () => clients[0]!.get(prefix + generationKey('docs'));
      await b.invalidate('docs');
      const first = Number(await generation());
      expect(first).toBeGreaterThan(0);
      expect((await a.getOrCompute(KEYS[0]!, compute(0))).cached).toBe(false);
      await a.flushWrites();
      // And again through a: b, which last saw the previous generation, finds a's new result.
      await a.invalidate('docs');
      const second = await generation();
      expect(Number(second)).toBeGreaterThan(first);
      expect((await a.getOrCompute(KEYS[1]!, compute(1))).cached).toBe(false);
      await a.flushWrites();
      expect((await b.getOrCompute(KEYS[1]!, compute(1))).cached).toBe(true);
      expect(calls).toBe(KEYS.length + 2);
      expect(events.filter((e) => e.kind === 'error').map((e) => e.error?.message)).toEqual([]);

      // Every key of the collection is in the slot of its generation key, on one node.
      const genSlot = await cluster.admins[0]!.call(
        'CLUSTER',
        'KEYSLOT',
        prefix + generationKey('docs'),
      );
      const perNode = await Promise.all(cluster.admins.map((admin) => admin.keys(`${prefix}*`)));
      const written = perNode.flat();
      expect(written.length).toBe(KEYS.length + 2 + 1); // results, the generation
      expect(perNode.filter((keys) => keys.length > 0)).toHaveLength(1);
      for (const key of written) {
        expect(await cluster.admins[0]!.call('CLUSTER', 'KEYSLOT', key), key).toBe(genSlot);
      }

      await a.close();
      await b.close();
      // The clients are the caller's: still open.
      expect(await generation()).toBe(second);
      await Promise.all(clients.map((c) => c.quit()));
    });
  });
});
