/**
 * Runs Debian's `redis-server` for tests: on a free loopback port, with persistence off
 * (`--save ''`, `--appendonly no`), in a temporary directory. `stop()` and `start()` again keep
 * the port, so a test can take Redis away in the middle of traffic and bring it back.
 *
 * CI installs it with `apt-get install -y redis-server`; when the binary is missing the start
 * fails with a message saying so (the integration tests never skip).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';

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

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A port nothing listens on now (the kernel's choice for port 0, released at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
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
  live.add(child);
  child.once('exit', () => live.delete(child));
  const output: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `redis-server did not start on port ${port} in ${timeoutMs} ms:\n${output.join('\n')}`,
        ),
      );
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      output.push(line);
      if (line.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `\`${BINARY}\` was not found: the integration tests need a real Redis. Install it with \`apt-get install -y redis-server\` (or set REDIS_SERVER_BIN).`,
            )
          : error,
      );
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `redis-server exited with code ${code} before it was ready:\n${output.join('\n')}`,
        ),
      );
    });
  });
  await ready;
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
      if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
      const exited = once(c, 'exit');
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
