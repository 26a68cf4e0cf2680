/**
 * router: what the router itself costs per search, in CPU microseconds, over backends that do
 * no work: 1 x 1, 8 x 3, 64 x 3, and 64 x 3 with a filter on the shard key that prunes the
 * search to one shard. Measured on tsc output (`bench/tsconfig.router.json` compiles the
 * sources and `bench/lib/router-worker.ts` into `.tmp/bench-router`; tsx's transforms distort
 * these figures) in a `node` process of its own, as the median of interleaved rounds (15; 5
 * with --quick). Default mesh options, as a user gets them.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { printTable } from '../lib/stats.js';
import type { BenchArgs } from '../run.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function router(args: BenchArgs): Promise<Record<string, unknown>> {
  execFileSync('npx', ['tsc', '-p', 'bench/tsconfig.router.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const out = execFileSync(
    process.execPath,
    [`${ROOT}.tmp/bench-router/bench/lib/router-worker.js`, args.quick ? 'quick' : 'full'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const figures = JSON.parse(out.trim().split('\n').pop() as string) as {
    rounds: number;
    us_per_search: Record<string, number>;
  };
  printTable(
    `router: CPU us per search on zero-work backends, compiled, median of ${figures.rounds} interleaved rounds`,
    Object.entries(figures.us_per_search).map(([layout, us]) => ({ layout, cpu_us: us })),
  );
  return Promise.resolve(figures);
}
