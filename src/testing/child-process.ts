/**
 * What every server a test starts as a child process needs: a free loopback port, a wait for a
 * line the server prints when it is ready, a stop (SIGTERM, then SIGKILL after a grace period),
 * and a guarantee that no child outlives the test process.
 *
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Interface } from 'node:readline';

/** Every tracked child still running, killed when this process exits. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * A port nothing listens on now: the kernel's choice for port 0 on `127.0.0.1`, released at
 * once.
 *
 * @returns The port.
 * @throws `Error` when the kernel answers no port.
 *
 * @example
 * ```ts
 * const port = await freePort();
 * ```
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/**
 * Kills a child with SIGKILL if it has not exited when this process exits, whatever happened
 * (an `exit` handler must be synchronous: a SIGKILL is all there is time for).
 *
 * @param child - A child just spawned.
 *
 * @example
 * ```ts
 * const child = spawn('redis-server', args);
 * trackChild(child);
 * ```
 */
export function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
  // Only on `exit`: listening for `error` here would hide it from a caller that does not.
  child.once('exit', () => live.delete(child));
}

/**
 * Stops a child: SIGTERM, then SIGKILL when it has not exited after `graceMs`. Returns at once
 * when it has exited already.
 *
 * @param child - The child.
 * @param graceMs - The wait between SIGTERM and SIGKILL, in milliseconds.
 * @param exited - Settles when the child has ended; by default its next `exit` event.
 *
 * @example
 * ```ts
 * await stopChild(child, 5_000);
 * ```
 */
export async function stopChild(
  child: ChildProcess,
  graceMs: number,
  exited?: Promise<unknown>,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const ended = exited ?? once(child, 'exit');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  child.kill('SIGTERM');
  try {
    await ended;
  } finally {
    clearTimeout(timer);
  }
}

/** What {@link waitForLine} waits for, and what it rejects with when it stops waiting. */
export interface LineWait {
  /** Whether a line is the one awaited. */
  readonly match: (line: string) => boolean;
  /** The longest wait, in milliseconds. */
  readonly timeoutMs: number;
  /** The error when the time is up. */
  readonly onTimeout: () => Error;
  /** Settles with the error to reject with when the child ends (or fails to start) first. */
  readonly failure: Promise<Error>;
}

/**
 * Waits for the first line that matches, from a child's output.
 *
 * @param lines - The child's output, line by line.
 * @param wait - The match, the time limit and the errors.
 * @returns The matching line.
 * @throws The error of `wait.onTimeout` or `wait.failure`, whichever comes first.
 *
 * @example
 * ```ts
 * await waitForLine(createInterface({ input: child.stdout }), {
 *   match: (line) => line.includes('Ready to accept connections'),
 *   timeoutMs: 10_000,
 *   onTimeout: () => new Error('not ready in time'),
 *   failure: once(child, 'exit').then(() => new Error('exited')),
 * });
 * ```
 */
export function waitForLine(lines: Interface, wait: LineWait): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      lines.off('line', onLine);
      reject(wait.onTimeout());
    }, wait.timeoutMs);
    const onLine = (line: string): void => {
      if (!wait.match(line)) return;
      clearTimeout(timer);
      lines.off('line', onLine);
      resolve(line);
    };
    lines.on('line', onLine);
    void wait.failure.then((error) => {
      clearTimeout(timer);
      lines.off('line', onLine);
      reject(error);
    });
  });
}
