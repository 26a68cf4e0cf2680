/**
 * kill -9 a reference node while it acknowledges a stream of writes, then restart it: every
 * acknowledged write is there. Then tear the tail of its write-ahead log (a crash in the middle
 * of an append) and restart again: the node starts, reports the torn tail, and keeps every write
 * acknowledged before it.
 */
import { appendFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PointId } from '../../src/index.js';
import { startLocalCluster, type LocalCluster } from '../../src/node/local-cluster.js';

const DIMENSION = 16;
let dir: string;
let cluster: LocalCluster;

function vector(i: number): number[] {
  return Array.from({ length: DIMENSION }, (_, d) => Math.cos(i + d * 0.3));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vecmesh-crash-'));
  cluster = await startLocalCluster({ shards: 1, replicas: 1, dataDir: dir });
});

afterAll(async () => {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

async function storedIds(): Promise<Set<PointId>> {
  const backend = cluster.nodes[0]!.backend;
  const ids = new Set<PointId>();
  let cursor: string | undefined;
  do {
    const page = await backend.scanIds(
      'docs',
      cursor === undefined ? { limit: 5000 } : { cursor, limit: 5000 },
    );
    for (const id of page.ids) ids.add(id);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return ids;
}

describe('a reference node killed with SIGKILL', () => {
  it('keeps every acknowledged write, and recovers from a torn log tail', async () => {
    const backend = cluster.nodes[0]!.backend;
    await backend.connect();
    await backend.createCollection('docs', { dimension: DIMENSION, metric: 'cosine' });
    const acknowledged: PointId[] = [];
    let next = 0;
    let killed = false;
    let reached: (() => void) | undefined;
    const enough = new Promise<void>((resolve) => {
      reached = resolve;
    });
    // Four writers keep appends in flight, so the kill lands in the middle of some of them.
    const writer = async () => {
      while (!killed) {
        const batch = Array.from({ length: 25 }, () => {
          const id = next++;
          return { id, vector: vector(id) };
        });
        try {
          await backend.upsert('docs', batch);
          acknowledged.push(...batch.map((p) => p.id));
          if (acknowledged.length >= 2000) reached?.();
        } catch {
          return; // the node is gone: this batch was not acknowledged
        }
      }
    };
    const writers = Promise.all([writer(), writer(), writer(), writer()]);
    await enough;
    killed = true;
    await cluster.kill(0, 0, 'SIGKILL');
    await writers;

    await cluster.restart(0, 0);
    const afterKill = await storedIds();
    expect(acknowledged.filter((id) => !afterKill.has(id))).toEqual([]);

    // A torn append: half a record at the end of the log, as a crash mid-write leaves it.
    await cluster.kill(0, 0, 'SIGKILL');
    const nodeDir = cluster.nodes[0]!.dataDir!;
    const files = await readdir(nodeDir, { recursive: true });
    const wal = files.map(String).find((f) => f.endsWith('wal.log'));
    expect(wal).toBeDefined();
    const walPath = join(nodeDir, wal!);
    const before = (await stat(walPath)).size;
    await appendFile(walPath, '1a2b3c4d {"op":"upsert","collection":"docs","points":[{"id":99999');
    expect((await stat(walPath)).size).toBeGreaterThan(before);

    await cluster.restart(0, 0);
    const afterTear = await storedIds();
    expect(acknowledged.filter((id) => !afterTear.has(id))).toEqual([]);
    expect(afterTear.has(99999)).toBe(false);
    // And it still takes writes.
    await backend.upsert('docs', [{ id: 'after-recovery', vector: vector(1) }]);
    expect((await backend.get('docs', ['after-recovery'])).length).toBe(1);
  });
});
