/**
 * Runs `vecmesh node` as a child process for tests: spawns it on a free loopback port, reads the
 * `listening` line it prints, and stops it (SIGTERM, then SIGKILL) — also when the test process
 * exits without stopping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { stopChild, trackChild, waitForLine } from '../../src/testing/child-process.js';

/** The repository root, where `src/cli/main.ts` lives. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A node process that printed its `listening` line. */
export interface NodeProcess {
  /** The child process. */
  readonly child: ChildProcess;
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The port it chose. */
  readonly port: number;
  /** Lines it printed on stdout after `listening`. */
  readonly stdout: string[];
  /** Everything it printed on stderr. */
  readonly stderr: () => string;
  /** Sends SIGTERM, waits up to `graceMs` for the exit, then SIGKILL. Resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Spawns `node --import tsx src/cli/main.ts node --port 0 ...args` and waits for its
 * `listening` line.
 *
 * @param args - Extra flags, e.g. `['--data-dir', dir]`.
 * @param env - Extra environment variables.
 * @param startTimeoutMs - Longest wait for the `listening` line.
 * @returns The running process.
 */
export async function spawnNode(
  args: readonly string[] = [],
  env: Record<string, string> = {},
  startTimeoutMs = 15_000,
): Promise<NodeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'node', '--port', '0', '--host', '127.0.0.1', ...args],
    { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Killed when the test process exits, whatever happened.
  trackChild(child);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  const stdout: string[] = [];
  try {
    const first = await waitForLine(lines, {
      match: () => true,
      timeoutMs: startTimeoutMs,
      onTimeout: () => new Error(`node did not start in ${startTimeoutMs} ms: ${stderr}`),
      failure: exited.then(
        (code) => new Error(`node exited with ${String(code)} before listening: ${stderr}`),
      ),
    });
    lines.on('line', (line) => stdout.push(line));
    const event = JSON.parse(first) as { event: string; url: string; port: number; pid: number };
    if (event.event !== 'listening') throw new Error(`unexpected first line: ${first}`);
    return {
      child,
      url: event.url,
      port: event.port,
      stdout,
      stderr: () => stderr,
      async stop(graceMs = 5000) {
        if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
        await stopChild(child, graceMs, exited);
        return exited;
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
}
