/**
 * Serving the mesh's metrics to Prometheus: a 2-shard x 2-replica mesh over in-process memory
 * backends, its events bound to a Prometheus sink on a registry this program owns, a little
 * search and write traffic, and a node:http server on 127.0.0.1 answering `GET /metrics`.
 *
 * Run: npx tsx examples/metrics-server.ts [--port 9464] [--once]
 *   default: serves until SIGINT (Ctrl-C) or SIGTERM, with a search every 200 ms
 *   --once:  scrapes itself once over HTTP, prints the text and exits
 *
 * Against real servers (docker/compose.yaml; see docs/docker.md), all optional:
 *   VECMESH_NODES=http://127.0.0.1:7001,http://127.0.0.1:7002  reference nodes instead of memory
 *                 (commas: replicas of one shard; semicolons: shards)
 *   VECMESH_API_KEY=...           the nodes' API key
 *   REDIS_URL=redis://127.0.0.1:6379  the result cache on Redis instead of in this process
 *   HOST=0.0.0.0 PORT=9464        where to listen (--port wins over PORT)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';
import {
  createMesh,
  memoryBackend,
  prometheusMetrics,
  type ClusterOptions,
  type Point,
} from 'vecmesh';
import { embed, TOPICS } from './lib/embed.js';
import { cacheFromEnv, listenFromEnv, nodeClusterFromEnv } from './lib/env-mesh.js';

const DIMENSION = 64;

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function serve(registry: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500).end(`${String(error)}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve(server);
    });
  });
}

function argPort(argv: readonly string[], fallback: number): number {
  const at = argv.indexOf('--port');
  const port = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port must be an integer in [0, 65535], received ${argv[at + 1]}`);
  }
  return port;
}

async function main(argv: readonly string[]): Promise<void> {
  const once = argv.includes('--once');
  const registry = new Registry(); // ours: vecmesh never touches prom-client's global registry
  if (!once) collectDefaultMetrics({ register: registry }); // process metrics beside the mesh's
  const metrics = prometheusMetrics({ registry });
  // Read before anything starts, so that a malformed variable fails fast.
  const listen = listenFromEnv();
  const port = argPort(argv, listen.port);
  const nodes = nodeClusterFromEnv();
  const memory: ClusterOptions = {
    name: 'local',
    shards: ['s0', 's1'].map((name) => ({
      name,
      replicas: [
        { backend: memoryBackend({ name: `${name}-a` }) },
        { backend: memoryBackend({ name: `${name}-b` }) },
      ],
    })),
  };

  const mesh = createMesh({
    clusters: [nodes ?? memory],
    // The mesh reports operations, replica calls, retries, breakers, hints and topology size.
    metrics,
    cache: cacheFromEnv(),
  });
  await mesh.connect();
  if (nodes !== undefined) {
    const urls = nodes.shards.map((s) => s.replicas.map((r) => r.backend.endpoint).join(', '));
    say(`reference nodes: ${urls.join(' | ')}`);
  }

  // Idempotent for the same spec: a restart against nodes that kept their data goes on.
  const docs = await mesh.createCollection('docs', { dimension: DIMENSION, metric: 'cosine' });
  const points: Point[] = Array.from({ length: 1000 }, (_, i) => ({
    id: `doc-${i}`,
    vector: embed(i % TOPICS.length, i),
    payload: { topic: TOPICS[i % TOPICS.length] ?? 'none' },
  }));
  await docs.upsert(points);
  let n = 0;
  // Every query twice: the second time it comes from the result cache.
  const search = () => {
    const m = n++ >> 1;
    return docs.search({ vectors: [embed(m % TOPICS.length, 10_000 + m)], topK: 5 });
  };
  for (let i = 0; i < 20; i++) await search();
  await docs.get(['doc-1', 'doc-2']);
  await docs.count();

  const server = await serve(registry, listen.host, port);
  // A wildcard address is not one to connect to: reach it on loopback.
  const reachable = ['0.0.0.0', '::'].includes(listen.host) ? '127.0.0.1' : listen.host;
  const hostPart = reachable.includes(':') ? `[${reachable}]` : reachable;
  const url = `http://${hostPart}:${(server.address() as AddressInfo).port}/metrics`;

  const shutdown = async (): Promise<void> => {
    await new Promise((resolve) => server.close(resolve));
    await mesh.close();
  };

  if (once) {
    const response = await fetch(url);
    process.stdout.write(await response.text());
    await shutdown();
    return;
  }

  say(`serving ${url} (Ctrl-C to stop)`);
  const traffic = setInterval(() => {
    search().catch((error: unknown) => {
      say(`search failed: ${String(error)}`);
    });
  }, 200);
  // SIGTERM too: `docker stop` sends it.
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(traffic);
  await shutdown();
  say('stopped');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
