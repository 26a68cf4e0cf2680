/**
 * `vecmesh reshard`: migrates a cluster of reference nodes from one shard layout to another
 * online (see `mesh.reshard`), with a progress bar on stderr and a JSON report on stdout.
 *
 * Topology files are JSON: `{ "sharding"?: {...}, "clusters": [{ "name", "priority"?, "shards":
 * [{ "name"?, "replicas": [{ "url", "name"?, "namespace"?, "weight"? }] }] }] }`. A URL that
 * appears in both files is the same replica.
 *
 * Only this process's mesh is in the migration view: run it while no other process writes to
 * the collections (their writes would reach the old owners only and be lost for keys already
 * copied). An application that must keep writing calls `mesh.reshard()` itself.
 *
 * Exit codes: 0 done; 1 refused or failed (message on stderr); 130 interrupted by SIGINT after
 * the page in flight, checkpoint kept (run the same command again to resume).
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { referenceBackend } from '../../backends/reference/index.js';
import type { VectorBackend } from '../../backends/backend.js';
import { AbortedError, InvalidArgumentError, describeValue, messageOf } from '../../core/errors.js';
import { createMesh } from '../../mesh/mesh.js';
import type { ReshardProgressEvent } from '../../core/events.js';
import type { NextTopology } from '../../reshard/update-topology.js';
import type {
  ClusterOptions,
  ReplicaOptions,
  ShardOptions,
} from '../../backends/backend-topology.js';
import { API_KEY_ENV } from './node-command.js';

interface ReshardFlags {
  from: string;
  to: string;
  collection?: string[];
  checkpoint?: string;
  batchSize?: number;
  apiKey?: string;
}

/** Exit code after SIGINT (128 + 2), as shells report it. */
const INTERRUPTED = 130;

/**
 * Builds the `reshard` subcommand.
 *
 * @returns The commander command.
 * @throws Never; failures print a message and set the exit code.
 * @example
 * ```ts
 * new Command('vecmesh').addCommand(reshardCommand());
 * ```
 */
export function reshardCommand(): Command {
  return new Command('reshard')
    .description('move a reference-node cluster to another shard layout, online')
    .requiredOption('--from <file>', 'JSON topology in force now')
    .requiredOption('--to <file>', 'JSON topology to move to')
    .option('--collection <name...>', 'collections to move (default: every collection)')
    .option('--checkpoint <file>', 'resumable checkpoint, rewritten after every page')
    .option('--batch-size <n>', 'ids per page and points per copy batch (default: 500)', (v) => {
      const n = Number(v);
      if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n) || n < 1) {
        throw new CommanderArgumentError('--batch-size must be an integer >= 1');
      }
      return n;
    })
    .option('--api-key <key>', `API key of the nodes (default: $${API_KEY_ENV})`)
    .action(async (flags: ReshardFlags) => {
      process.exitCode = await runReshard(flags);
    });
}

async function runReshard(flags: ReshardFlags): Promise<number> {
  const apiKey = flags.apiKey ?? process.env[API_KEY_ENV];
  const backends = new Map<string, VectorBackend>();
  const backendFor = (url: string): VectorBackend => {
    let backend = backends.get(url);
    if (backend === undefined) {
      backend = referenceBackend(apiKey === undefined || apiKey === '' ? { url } : { url, apiKey });
      backends.set(url, backend);
    }
    return backend;
  };
  let from: NextTopology;
  let to: NextTopology;
  try {
    from = parseTopologyFile(await readFile(flags.from, 'utf8'), flags.from, backendFor);
    to = parseTopologyFile(await readFile(flags.to, 'utf8'), flags.to, backendFor);
  } catch (error) {
    return fail(error);
  }
  const mesh = createMesh(
    from.sharding === undefined
      ? { clusters: from.clusters }
      : { clusters: from.clusters, sharding: from.sharding },
  );
  const controller = new AbortController();
  const onSigint = (): void => {
    process.stderr.write('\nvecmesh reshard: stopping after the page in flight...\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const bar = progressBar(process.stderr);
  try {
    await mesh.connect();
    const report = await mesh.reshard(to, {
      signal: controller.signal,
      onProgress: bar,
      ...(flags.checkpoint === undefined ? {} : { checkpoint: flags.checkpoint }),
      ...(flags.batchSize === undefined ? {} : { batchSize: flags.batchSize }),
      ...(flags.collection === undefined ? {} : { collections: flags.collection }),
    });
    bar.done();
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } catch (error) {
    bar.done();
    if (error instanceof AbortedError && controller.signal.aborted) {
      process.stderr.write(
        `vecmesh reshard: interrupted; ${flags.checkpoint === undefined ? 'no checkpoint was given, so a new run starts over' : `checkpoint kept in ${flags.checkpoint}: run the same command again to resume`}\n`,
      );
      return INTERRUPTED;
    }
    return fail(error);
  } finally {
    process.removeListener('SIGINT', onSigint);
    await mesh.close().catch(() => undefined);
  }
}

function fail(error: unknown): number {
  process.stderr.write(`vecmesh reshard: ${messageOf(error)}\n`);
  return 1;
}

/**
 * Parses a topology file of reference nodes into mesh topology options, one backend per URL
 * (so that a URL in both files is the same replica).
 *
 * @param text - The file's content.
 * @param path - The file's path, for messages.
 * @param backendFor - The backend of a URL.
 * @returns The clusters and sharding options.
 * @throws {@link InvalidArgumentError} naming the file and the bad field.
 * @example
 * ```ts
 * parseTopologyFile('{"clusters":[{"name":"local","shards":[{"replicas":[{"url":"http://127.0.0.1:7001"}]}]}]}', 'a.json', (url) => referenceBackend({ url }));
 * ```
 */
export function parseTopologyFile(
  text: string,
  path: string,
  backendFor: (url: string) => VectorBackend,
): NextTopology {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const bad = (where: string, what: string, got: unknown): never => {
    throw new InvalidArgumentError(
      `${path}: \`${where}\` must be ${what}, received ${describeValue(got)}`,
    );
  };
  const object = (v: unknown, where: string): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : bad(where, 'an object', v);
  const list = (v: unknown, where: string): unknown[] =>
    Array.isArray(v) && v.length > 0 ? v : bad(where, 'a non-empty array', v);
  const keys = (o: Record<string, unknown>, where: string, allowed: string[]): void => {
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key)) {
        throw new InvalidArgumentError(
          `${path}: unknown field \`${where === '' ? key : `${where}.${key}`}\`; expected one of ${allowed.join(', ')}`,
        );
      }
    }
  };
  const root = object(value, '(root)');
  keys(root, '', ['sharding', 'clusters']);
  const clusters = list(root['clusters'], 'clusters').map((c, i): ClusterOptions => {
    const where = `clusters[${i}]`;
    const cluster = object(c, where);
    keys(cluster, where, ['name', 'priority', 'shards']);
    const shards = list(cluster['shards'], `${where}.shards`).map((s, j): ShardOptions => {
      const sw = `${where}.shards[${j}]`;
      const shard = object(s, sw);
      keys(shard, sw, ['name', 'replicas']);
      const replicas = list(shard['replicas'], `${sw}.replicas`).map((r, k): ReplicaOptions => {
        const rw = `${sw}.replicas[${k}]`;
        const replica = object(r, rw);
        keys(replica, rw, ['url', 'name', 'namespace', 'weight']);
        const url = replica['url'];
        if (typeof url !== 'string') return bad(`${rw}.url`, 'a URL string', url);
        // Name, namespace and weight are checked by the topology validation, which names them.
        const { url: _url, ...rest } = replica;
        return { ...(rest as Omit<ReplicaOptions, 'backend'>), backend: backendFor(url) };
      });
      return { ...(shard as Omit<ShardOptions, 'replicas'>), replicas };
    });
    return { ...(cluster as Omit<ClusterOptions, 'shards'>), shards };
  });
  const sharding = root['sharding'];
  return sharding === undefined
    ? { clusters }
    : {
        clusters,
        sharding: object(sharding, 'sharding') as unknown as NonNullable<NextTopology['sharding']>,
      };
}

/**
 * A progress bar on a stream: on a TTY one line rewritten in place, elsewhere one line every
 * 10 % (so that logs stay short).
 */
function progressBar(stream: NodeJS.WriteStream): ((event: ReshardProgressEvent) => void) & {
  done: () => void;
} {
  let lastStep = -1;
  let drawn = false;
  const update = (event: ReshardProgressEvent): void => {
    const ratio = event.expectedTotal === 0 ? 1 : Math.min(1, event.total / event.expectedTotal);
    const percent = Math.floor(ratio * 100);
    const text = `${event.phase} ${event.collection} ${event.cluster}/${event.shard}: ${event.total}/${event.expectedTotal} scanned, ${event.movedTotal} moved`;
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round(ratio * width);
      stream.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% ${text}\x1b[K`,
      );
      drawn = true;
      return;
    }
    const step = Math.floor(percent / 10);
    if (step !== lastStep || event.phase === 'cleanup') {
      lastStep = step;
      stream.write(`${percent}% ${text}\n`);
    }
  };
  return Object.assign(update, {
    done: () => {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  });
}
