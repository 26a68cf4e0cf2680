/**
 * `vecmesh reshard` as a process against real reference-node processes: a bad topology file is
 * refused (exit 1, nothing moves), SIGINT stops it after the page in flight with the checkpoint
 * kept (exit 130), and the same command then resumes and completes (exit 0, JSON report).
 */
import { spawn } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMesh, type PointId } from '../../src/index.js';
import { referenceBackend } from '../../src/backends/reference/index.js';
import { startLocalCluster, type LocalCluster } from '../../src/node/local-cluster.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const POINTS = 4000;
let dir: string;
let cluster: LocalCluster;

function topologyFile(shards: number): unknown {
  return {
    sharding: { strategy: 'consistent-hash' },
    clusters: [
      {
        name: 'local',
        shards: cluster.nodes
          .slice(0, shards)
          .map((node) => ({ name: `s${node.shard}`, replicas: [{ url: node.url }] })),
      },
    ],
  };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `onStderr` sees stderr as it arrives (to interrupt it mid-way). */
function runCli(args: string[], onStderr?: (text: string, kill: () => void) => void): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'reshard', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    onStderr?.(stderr, () => child.kill('SIGINT'));
  });
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

// Node processes start slowly on a loaded machine: more than the default 10 s hook timeout.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vecmesh-reshard-cli-'));
  cluster = await startLocalCluster({ shards: 4, replicas: 1, fsync: false });
  await writeFile(join(dir, 'three.json'), JSON.stringify(topologyFile(3)));
  await writeFile(join(dir, 'four.json'), JSON.stringify(topologyFile(4)));
  const mesh = createMesh({
    clusters: [{ ...cluster.topology, shards: cluster.topology.shards.slice(0, 3) }],
    sharding: { strategy: 'consistent-hash' },
  });
  await mesh.connect();
  const docs = await mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
  for (let i = 0; i < POINTS; i += 500) {
    await docs.upsert(
      Array.from({ length: 500 }, (_, k) => ({ id: i + k, vector: [i + k, 1, 2, 3] })),
    );
  }
  await mesh.close();
}, 60_000);

afterAll(async () => {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

async function idsOn(url: string): Promise<PointId[]> {
  const backend = referenceBackend({ url });
  await backend.connect();
  const ids: PointId[] = [];
  let cursor: string | undefined;
  do {
    const page = await backend.scanIds(
      'docs',
      cursor === undefined ? { limit: 5000 } : { cursor, limit: 5000 },
    );
    ids.push(...page.ids);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  await backend.close();
  return ids;
}

describe('vecmesh reshard', () => {
  it('refuses a bad topology file, naming the field, and moves nothing', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({ clusters: [{ name: 'local', shards: [{ replicas: [{ uri: 'x' }] }] }] }),
    );
    const run = await runCli(['--from', join(dir, 'three.json'), '--to', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/unknown field `clusters\[0\]\.shards\[0\]\.replicas\[0\]\.uri`/);
    // Nothing moved: the fourth node was not even given the collection.
    const fourth = referenceBackend({ url: cluster.nodes[3]!.url });
    await fourth.connect();
    expect(await fourth.listCollections()).toEqual([]);
    await fourth.close();
  });

  it('stops on SIGINT with its checkpoint, then resumes and completes', async () => {
    const checkpoint = join(dir, 'reshard.json');
    const args = [
      '--from',
      join(dir, 'three.json'),
      '--to',
      join(dir, 'four.json'),
      '--checkpoint',
      checkpoint,
      '--batch-size',
      '100',
    ];
    let interrupted = false;
    const first = await runCli(args, (text, kill) => {
      // The first progress line: a page was copied.
      if (!interrupted && /scanned/.test(text)) {
        interrupted = true;
        kill();
      }
    });
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(/checkpoint kept/);
    await access(checkpoint);

    const second = await runCli(args);
    expect(second.stderr).not.toMatch(/vecmesh reshard: /);
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout) as {
      resumed: boolean;
      total: number;
      scanned: number;
      movedFraction: number;
    };
    expect(report.resumed).toBe(true);
    expect(report.total).toBe(POINTS);
    expect(report.scanned).toBeLessThan(POINTS);
    expect(Math.abs(report.movedFraction - 0.25)).toBeLessThan(0.06);
    const perShard = await Promise.all(cluster.nodes.map((node) => idsOn(node.url)));
    const all = perShard.flat().map(String);
    expect(new Set(all).size).toBe(all.length); // no point on two shards
    expect(all).toHaveLength(POINTS);
    await expect(access(checkpoint)).rejects.toThrow(/ENOENT/);
  });
});
