/**
 * The `router` scenario's measuring process. It runs on tsc output (`bench/tsconfig.router.json`
 * compiles it with the package's sources), since tsx's transforms distort these figures: router
 * CPU microseconds per search over backends that do no work, for several layouts, measured in
 * interleaved rounds; prints one JSON line.
 */
import { createMesh, type Mesh } from '../../src/index.js';
import { NullBackend } from './null-backend.js';

const DIMENSION = 128;

interface Layout {
  readonly name: string;
  readonly mesh: Mesh;
  /** Searches per round: about the same CPU time for every layout. */
  readonly perRound: number;
  readonly search: () => Promise<unknown>;
}

let endpoints = 0;

async function layout(
  name: string,
  shards: number,
  replicas: number,
  pruned: boolean,
  perRound: number,
): Promise<Layout> {
  const mesh = createMesh({
    clusters: [
      {
        name: 'bench',
        shards: Array.from({ length: shards }, () => ({
          replicas: Array.from({ length: replicas }, () => ({
            backend: new NullBackend(`null://${++endpoints}`),
          })),
        })),
      },
    ],
    // With the tenant as shard key, a filter on one tenant is one shard's search.
    sharding: pruned ? { strategy: 'hash', key: { field: 'tenant' } } : { strategy: 'hash' },
  });
  await mesh.connect();
  const docs = await mesh.createCollection('bench', { dimension: DIMENSION, metric: 'cosine' });
  const vector = Array.from({ length: DIMENSION }, (_, d) => Math.sin(d));
  const request = pruned
    ? { vectors: [vector], topK: 10, filter: { tenant: 'acme' } }
    : { vectors: [vector], topK: 10 };
  return { name, mesh, perRound, search: () => docs.search(request) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(quick: boolean): Promise<void> {
  const layouts = [
    await layout('1x1', 1, 1, false, 2000),
    await layout('8x3', 8, 3, false, 500),
    await layout('64x3', 64, 3, false, 100),
    await layout('64x3-pruned-to-1', 64, 3, true, 2000),
  ];
  const rounds = quick ? 5 : 15;
  const samples = new Map<string, number[]>(layouts.map((l) => [l.name, []]));
  // Round -1 warms the JIT up and is not kept.
  for (let round = -1; round < rounds; round++) {
    for (const l of layouts) {
      const before = process.cpuUsage();
      for (let i = 0; i < l.perRound; i++) await l.search();
      const used = process.cpuUsage(before);
      if (round >= 0) samples.get(l.name)?.push((used.user + used.system) / l.perRound);
    }
  }
  const perSearch: Record<string, number> = {};
  for (const l of layouts) {
    perSearch[l.name] = Math.round(median(samples.get(l.name) ?? []) * 10) / 10;
    await l.mesh.close();
  }
  process.stdout.write(`${JSON.stringify({ rounds, us_per_search: perSearch })}\n`);
}

await main(process.argv.includes('quick'));
