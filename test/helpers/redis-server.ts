/**
 * Runs Debian's `redis-server` for tests: on a free loopback port, with persistence off
 * (`--save ''`, `--appendonly no`), in a temporary directory. `stop()` and `start()` again keep
 * the port, so a test can take Redis away in the middle of traffic and bring it back.
 *
 * CI installs it with `apt-get install -y redis-server`; when the binary is missing the start
 * fails with a message saying so (the integration tests never skip).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { freePort, stopChild, trackChild, waitForLine } from '../../src/testing/child-process.js';

/** A port nothing listens on now; shared with the other servers tests start. */
export { freePort };

/** The binary, overridable for machines that keep it elsewhere. */
const BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';

/** A redis-server the test controls. */
export interface RedisServer {
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

/** Spawns redis-server on `port` and waits for "Ready to accept connections". */
async function launch(port: number, dir: string, timeoutMs: number): Promise<ChildProcess> {
  const child = spawn(
    BINARY,
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
        error.code === 'ENOENT'
          ? new Error(
              `\`${BINARY}\` was not found: the integration tests need a real Redis. Install it with \`apt-get install -y redis-server\` (or set REDIS_SERVER_BIN).`,
            )
          : error,
      );
    });
    child.once('exit', (code) => {
      resolve(
        new Error(
          `redis-server exited with code ${code} before it was ready:\n${output.join('\n')}`,
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
        `redis-server did not start on port ${port} in ${timeoutMs} ms:\n${output.join('\n')}`,
      );
    },
    failure,
  });
  return child;
}

/**
 * Starts a redis-server on a free loopback port.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * // ... redis.url ...
 * await redis.stop();
 * ```
 */
export async function startRedisServer(options: { timeoutMs?: number } = {}): Promise<RedisServer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const port = await freePort();
  // Nothing is written there (persistence is off), but Redis wants a working directory.
  const dir = tmpdir();
  let child: ChildProcess | undefined = await launch(port, dir, timeoutMs);
  const running = (): boolean =>
    child !== undefined && child.exitCode === null && child.signalCode === null;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get running() {
      return running();
    },
    async start() {
      if (running()) return;
      child = await launch(port, dir, timeoutMs);
    },
    async stop(graceMs = 5000) {
      const c = child;
      child = undefined;
      if (c !== undefined) await stopChild(c, graceMs);
    },
  };
}
