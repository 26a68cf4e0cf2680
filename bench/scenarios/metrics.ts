/**
 * metrics: what observability costs on the hot path.
 *
 * 1. One `operation()` + one `replicaCall()` pair (a histogram observation and a counter each),
 *    on the no-op sink and on the Prometheus sink, over 6 replicas and mixed outcomes.
 * 2. One traced operation with a 3-shard fan-out through `MeshTracer` with no SDK registered,
 *    against the same fan-out without tracing.
 *
 * Each figure is the median over rounds of the mean time per iteration of a batch, in ns.
 * Run: npx tsx -e "import('./bench/scenarios/metrics.ts').then((m) => m.metrics({ json: false, quick: false, dataset: undefined }))"
 */
import { Registry } from 'prom-client';
import { noopMetrics, prometheusMetrics, type MetricsSink } from '../../src/metrics/index.js';
import { MeshTracer } from '../../src/tracing/index.js';
import { printTable, quantile, round } from '../lib/stats.js';
import type { BenchArgs } from '../run.js';

const REPLICAS = Array.from({ length: 6 }, (_, i) => ({
  id: `local/s${i >> 1}/r${i & 1}`,
  cluster: 'local',
  shard: `s${i >> 1}`,
  backendKind: 'memory',
}));

function perIteration(rounds: number, batch: number, body: (i: number) => void): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) body(i);
    samples.push(Number(process.hrtime.bigint() - started) / batch);
  }
  return quantile(samples, 0.5);
}

function pairCost(sink: MetricsSink, rounds: number, batch: number): number {
  return perIteration(rounds, batch, (i) => {
    const seconds = (i % 97) / 10_000;
    const outcome = i % 50 === 0 ? 'error' : 'ok';
    sink.operation(i % 4 === 0 ? 'upsert' : 'search', outcome, seconds);
    sink.replicaCall(REPLICAS[i % REPLICAS.length]!, outcome, seconds);
  });
}

async function fanOutCost(tracing: MeshTracer | undefined, iterations: number): Promise<number> {
  const shard = (): Promise<number> => Promise.resolve(1);
  const samples: number[] = [];
  for (let r = 0; r < 20; r++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      if (tracing) {
        await tracing.operation('search', { topK: 10 }, (op) =>
          Promise.all(REPLICAS.slice(0, 3).map((t) => op.shard(t, shard))),
        );
      } else {
        await Promise.all(REPLICAS.slice(0, 3).map(() => shard()));
      }
    }
    samples.push(Number(process.hrtime.bigint() - started) / iterations);
  }
  return quantile(samples, 0.5);
}

export async function metrics(args: BenchArgs): Promise<Record<string, unknown>> {
  const rounds = args.quick ? 10 : 30;
  const batch = args.quick ? 20_000 : 100_000;
  const prometheus = prometheusMetrics({ registry: new Registry() });
  pairCost(prometheus, 3, batch); // warm-up: label objects built, code optimised
  pairCost(noopMetrics, 3, batch);
  const noopNs = pairCost(noopMetrics, rounds, batch);
  const promNs = pairCost(prometheus, rounds, batch);

  const iterations = args.quick ? 2_000 : 10_000;
  const tracing = new MeshTracer();
  await fanOutCost(tracing, iterations);
  await fanOutCost(undefined, iterations);
  const bareNs = await fanOutCost(undefined, iterations);
  const tracedNs = await fanOutCost(tracing, iterations);

  const figures = {
    noopPairNs: round(noopNs, 1),
    prometheusPairNs: round(promNs, 1),
    fanOutBareNs: round(bareNs, 0),
    fanOutTracedNoSdkNs: round(tracedNs, 0),
    tracingNoSdkOverheadNs: round(tracedNs - bareNs, 0),
  };
  printTable('metrics: operation() + replicaCall() per pair', [
    { sink: 'noop', 'ns per pair': figures.noopPairNs },
    { sink: 'prometheus', 'ns per pair': figures.prometheusPairNs },
  ]);
  printTable('tracing without an SDK: search with a 3-shard fan-out', [
    { path: 'untraced', 'ns per operation': figures.fanOutBareNs },
    { path: 'MeshTracer, no SDK', 'ns per operation': figures.fanOutTracedNoSdkNs },
  ]);
  return figures;
}
