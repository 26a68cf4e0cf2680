/**
 * recovery: how long a reference node takes to start again after a SIGKILL that left a large
 * write-ahead log. A child process (`bench/lib/wal-writer.ts`) fills a store's log with points of
 * dimension 128, automatic snapshots off, and is SIGKILLed; then a node is started on that
 * directory through `startLocalCluster` (the `vecmesh node` process the tests and examples use)
 * and timed until it listens, and every acknowledged point must be there. A cold start on an
 * empty directory is timed alongside. `--quick` fills 16 MiB instead of 64 MiB.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { referenceBackend } from '../../src/backends/reference/index.js';
import { startLocalCluster } from '../../src/node/local-cluster.js';
import { stopChild, trackChild, waitForLine } from '../../src/testing/child-process.js';
import { nowMs, printTable, round } from '../lib/stats.js';
import type { BenchArgs } from '../run.js';

const COLLECTION = 'recovery';
const WRITER = fileURLToPath(new URL('../lib/wal-writer.ts', import.meta.url));
const WRITE_TIMEOUT_MS = 20 * 60_000;
const START_TIMEOUT_MS = 5 * 60_000;

interface Written {
  readonly acked: number;
  readonly walBytes: number;
  readonly writeMs: number;
}

/** Fills `dir`'s log in a child process, then SIGKILLs it. */
async function fillAndKill(dir: string, walBytes: number): Promise<Written> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WRITER, dir, String(walBytes), COLLECTION],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  trackChild(child);
  const exited = once(child, 'exit');
  try {
    const line = await waitForLine(createInterface({ input: child.stdout }), {
      match: (l) => l.includes('"written"'),
      timeoutMs: WRITE_TIMEOUT_MS,
      onTimeout: () => new Error(`the writer did not fill ${walBytes} bytes in time`),
      failure: exited.then(() => new Error('the writer exited before filling the log')),
    });
    return JSON.parse(line) as Written;
  } finally {
    child.kill('SIGKILL');
    await stopChild(child, 1000, exited);
  }
}

/** Starts one node on `root` (its data in `root/s0-r0`), times it, counts the points, stops it. */
async function timeStart(root: string): Promise<{ ms: number; count: number | undefined }> {
  const t = nowMs();
  const cluster = await startLocalCluster({
    shards: 1,
    replicas: 1,
    dataDir: root,
    startTimeoutMs: START_TIMEOUT_MS,
  });
  const ms = nowMs() - t;
  const backend = referenceBackend({ url: cluster.nodes[0]!.url });
  try {
    await backend.connect();
    const names = await backend.listCollections();
    const count = names.includes(COLLECTION) ? await backend.count(COLLECTION) : undefined;
    return { ms, count };
  } finally {
    await backend.close();
    await cluster.stop();
  }
}

export async function recovery(args: BenchArgs): Promise<Record<string, unknown>> {
  const walBytes = (args.quick ? 16 : 64) * 1024 * 1024;
  const root = await mkdtemp(join(tmpdir(), 'vecmesh-recovery-'));
  try {
    const cold = await timeStart(join(root, 'cold'));
    const crashed = join(root, 'crashed');
    await mkdir(join(crashed, 's0-r0'), { recursive: true });
    const written = await fillAndKill(join(crashed, 's0-r0'), walBytes);
    const restart = await timeStart(crashed);
    const lost = written.acked - (restart.count ?? 0);
    printTable(
      `recovery: restart after SIGKILL, ${round(written.walBytes / 2 ** 20, 1)} MiB of log`,
      [
        {
          start: 'cold (empty directory)',
          ms: Math.round(cold.ms),
          points: 0,
          acknowledged: 0,
          lost: 0,
        },
        {
          start: 'after SIGKILL',
          ms: Math.round(restart.ms),
          points: restart.count ?? 0,
          acknowledged: written.acked,
          lost,
        },
      ],
    );
    if (lost !== 0) throw new Error(`${lost} acknowledged points are missing after the restart`);
    return {
      wal_mib: round(written.walBytes / 2 ** 20, 1),
      points: written.acked,
      write_ms: written.writeMs,
      cold_start_ms: Math.round(cold.ms),
      restart_ms: Math.round(restart.ms),
      lost,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
