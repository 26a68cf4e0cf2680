/** Temporary directories, stores and vectors for the node store tests, cleaned up after each. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { compareHits, score } from '../../../src/core/vector.js';
import type { Hit, Metric, Point, PointId } from '../../../src/core/types.js';
import { DurableStore } from '../../../src/node/store/durable-store.js';
import {
  openStore,
  type RecoveryReport,
  type StoreOptions,
  type VectorStore,
} from '../../../src/node/store/index.js';
import { seededRandom } from '../../../src/testing/seeded-random.js';

const dirs: string[] = [];
const stores: VectorStore[] = [];

/** Registers the cleanup hook; call once at the top of a test file. */
export function cleanUpAfterEach(): void {
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => abandon(s)));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
}

/** A fresh directory under the OS temp dir, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vecmesh-store-'));
  dirs.push(dir);
  return dir;
}

/** Opens a store (closed files after the test) and records its recovery report. */
export async function open(
  options: StoreOptions = {},
): Promise<{ store: VectorStore; report: RecoveryReport }> {
  let report: RecoveryReport | undefined;
  const store = await openStore({
    ...options,
    onRecovery: (r) => {
      report = r;
    },
  });
  stores.push(store);
  if (report === undefined) throw new Error('onRecovery was not called');
  return { store, report };
}

/**
 * Drops a store as a crashed process would: closes its files, no snapshot, no flush of the
 * queue. Every write that resolved is on disk already.
 */
export async function abandon(store: VectorStore): Promise<void> {
  if (!(store instanceof DurableStore)) throw new Error('not a DurableStore');
  await store.abandon();
}

/** `n` random vectors of `dimension` in [-1, 1), reproducible from `seed`. */
export function randomVectors(n: number, dimension: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const v = new Float32Array(dimension);
    for (let i = 0; i < dimension; i++) v[i] = random() * 2 - 1;
    return v;
  });
}

/** Points `0..n-1` over the vectors, each with a payload `{ i, even, group }`. */
export function pointsOf(vectors: readonly Float32Array[]): Point[] {
  return vectors.map((vector, i) => ({
    id: i,
    vector,
    payload: { i, even: i % 2 === 0, group: `g${i % 10}` },
  }));
}

/** The true top-k by brute force, scored like the store and ordered like `compareHits`. */
export function bruteForce(
  metric: Metric,
  points: readonly { id: PointId; vector: Float32Array }[],
  query: Float32Array,
  k: number,
): Hit[] {
  return points
    .map((p) => ({ id: p.id, score: score(metric, query, p.vector) }))
    .sort(compareHits(metric))
    .slice(0, k);
}

/** A search request with defaults. */
export function request(
  vectors: Float32Array[],
  topK: number,
  extra: Partial<Parameters<VectorStore['search']>[1]> = {},
): Parameters<VectorStore['search']>[1] {
  return { vectors, topK, includePayload: false, includeVector: false, ...extra };
}
