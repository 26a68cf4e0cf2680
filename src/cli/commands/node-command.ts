/**
 * `vecmesh node`: runs a reference node in the foreground until SIGINT or SIGTERM.
 *
 * On start it prints one JSON line on stdout, `{"event":"listening","url":...,"port":...,"pid":...}`,
 * so that a parent process can read the chosen port; on a signal it stops accepting, lets
 * requests in flight finish, closes the store (flushing and snapshotting it), prints
 * `{"event":"stopped",...}` and exits 0. Bad flags exit 1 with a message on stderr.
 *
 * @module
 */
import { messageOf } from '../../core/errors.js';
import { Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { startNode, type RunningNode } from '../../node/server/start-node.js';
import type { NodeOptions } from '../../node/server/server-options.js';

/** The environment variable read for the API key when `--api-key` is not given. */
export const API_KEY_ENV = 'VECMESH_API_KEY';

/** How long a stop may take before the process exits anyway. */
const STOP_GRACE_MS = 10_000;

interface NodeFlags {
  port: number;
  host: string;
  dataDir?: string;
  apiKey?: string;
  fsync?: boolean;
  bodyLimit?: number;
  log?: boolean;
  exitWithParent?: boolean;
}

function integerFlag(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new CommanderArgumentError(`${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

/**
 * Builds the `node` subcommand.
 *
 * @returns The commander command.
 * @throws Never; start failures print a message and set exit code 1.
 *
 * @example
 * ```ts
 * new Command('vecmesh').addCommand(nodeCommand());
 * ```
 */
export function nodeCommand(): Command {
  return new Command('node')
    .description('run a vecmesh reference node (HTTP/JSON vector server)')
    .option('--port <port>', 'TCP port; 0 picks a free one', integerFlag('--port', 0, 65_535), 0)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--data-dir <dir>', 'directory of the write-ahead log and snapshots (default: memory)')
    .option('--api-key <key>', `require this API key (default: $${API_KEY_ENV}, else none)`)
    .option('--fsync', 'flush the log to disk before acknowledging a write (default)')
    .option('--no-fsync', 'acknowledge writes before the log is flushed (faster, less durable)')
    .option(
      '--body-limit <bytes>',
      'largest request body in bytes (default: 64 MiB)',
      integerFlag('--body-limit', 1024, 1024 * 1024 * 1024),
    )
    .option('--log', 'log requests as JSON lines on stderr')
    .option(
      '--exit-with-parent',
      'stop when the parent process goes away (needs an IPC channel; used by startLocalCluster)',
    )
    .action(async (flags: NodeFlags) => {
      await runNode(flags);
    });
}

async function runNode(flags: NodeFlags): Promise<void> {
  const apiKey = flags.apiKey ?? process.env[API_KEY_ENV];
  const options: NodeOptions = { port: flags.port, host: flags.host };
  if (flags.dataDir !== undefined) options.dataDir = flags.dataDir;
  if (apiKey !== undefined && apiKey !== '') options.apiKey = apiKey;
  if (flags.fsync !== undefined) options.fsync = flags.fsync;
  if (flags.bodyLimit !== undefined) options.bodyLimitBytes = flags.bodyLimit;
  if (flags.log === true) options.logger = true;

  let node: RunningNode;
  try {
    node = await startNode(options);
  } catch (err) {
    console.error(`vecmesh node: ${messageOf(err)}`);
    process.exitCode = 1;
    return;
  }
  const { url, port } = node;
  process.stdout.write(`${JSON.stringify({ event: 'listening', url, port, pid: process.pid })}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal: the operator does not want to wait.
      process.exit(130);
    }
    stopping = true;
    setTimeout(() => {
      console.error(`vecmesh node: stopping took longer than ${STOP_GRACE_MS} ms; exiting`);
      process.exit(1);
    }, STOP_GRACE_MS).unref();
    node.close().then(
      () => {
        process.stdout.write(`${JSON.stringify({ event: 'stopped', signal })}\n`);
        process.exit(0);
      },
      (err: unknown) => {
        console.error(`vecmesh node: stop failed: ${messageOf(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (flags.exitWithParent === true && process.send !== undefined) {
    // The IPC channel closes when the parent dies, even by SIGKILL: no orphaned nodes.
    process.on('disconnect', () => {
      stop('SIGTERM');
    });
  }
}
