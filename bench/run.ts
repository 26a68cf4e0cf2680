/**
 * Benchmark runner: `npm run bench -- <scenario> [--json] [--dataset DIR] [--quick]`.
 *
 * Each scenario prints a readable table; with `--json` its figures also go out as one JSON object
 * on the last line. Timings are compared side by side in the same run (docs/architecture.md §10).
 */
import { availability } from './scenarios/availability.js';
import { failover } from './scenarios/failover.js';
import { cache } from './scenarios/cache.js';
import { fanout } from './scenarios/fanout.js';
import { hedging } from './scenarios/hedging.js';
import { ingest } from './scenarios/ingest.js';
import { metrics } from './scenarios/metrics.js';
import { node } from './scenarios/node.js';
import { overhead } from './scenarios/overhead.js';
import { recall } from './scenarios/recall.js';
import { recovery } from './scenarios/recovery.js';
import { reshard } from './scenarios/reshard.js';
import { router } from './scenarios/router.js';

/** Parsed command-line flags every scenario receives. */
export interface BenchArgs {
  readonly json: boolean;
  readonly quick: boolean;
  readonly dataset: string | undefined;
}

type Scenario = (args: BenchArgs) => Promise<Record<string, unknown>>;

const scenarios: Record<string, Scenario> = {
  overhead,
  recall,
  fanout,
  hedging,
  failover,
  node,
  ingest,
  metrics,
  cache,
  reshard,
  availability,
  recovery,
  router,
};

async function main(argv: string[]): Promise<number> {
  const name = argv.find((a) => !a.startsWith('--') && argv[argv.indexOf(a) - 1] !== '--dataset');
  const datasetAt = argv.indexOf('--dataset');
  const args: BenchArgs = {
    json: argv.includes('--json'),
    quick: argv.includes('--quick'),
    dataset: datasetAt >= 0 ? argv[datasetAt + 1] : process.env.VECMESH_DATASET,
  };
  const scenario = name === undefined ? undefined : scenarios[name];
  if (!scenario) {
    process.stderr.write(
      `usage: npm run bench -- <scenario> [--json] [--quick] [--dataset DIR]\nscenarios: ${Object.keys(scenarios).join(', ')}\n`,
    );
    return 2;
  }
  const figures = await scenario(args);
  if (args.json) process.stdout.write(`${JSON.stringify({ scenario: name, ...figures })}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
