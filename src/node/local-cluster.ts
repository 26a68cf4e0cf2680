/**
 * A real multi-node cluster on one machine: reference-node processes on free loopback ports, and
 * the topology that points a mesh at them. For the demo, the examples, and tests in which
 * failures are real processes dying.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { InvalidOptionError, UnavailableError, describeValue } from '../core/errors.js';
import { optionInteger, optionObject, rejectUnknownKeys } from '../core/options.js';
import { referenceBackend, type ReferenceBackend } from '../backends/reference/index.js';
import type { ClusterOptions } from '../backends/backend-topology.js';

/** Options of {@link startLocalCluster}. */
export interface LocalClusterOptions {
  /**
   * Shards.
   * @default 3
   */
  shards?: number;
  /**
   * Replicas per shard.
   * @default 2
   */
  replicas?: number;
  /**
   * Where the nodes keep their data (one folder per node). Without it, nodes keep data in
   * memory only, and a restarted node comes back empty.
   */
  dataDir?: string;
  /**
   * Cluster name in the returned topology.
   * @default 'local'
   */
  name?: string;
  /** API key every node requires (and every adapter sends). */
  apiKey?: string;
  /**
   * Flush each write to disk before acknowledging it.
   * @default true
   */
  fsync?: boolean;
  /**
   * Time one node may take to start, in milliseconds.
   * @default 15000
   */
  startTimeoutMs?: number;
}

/** One node of a local cluster. */
export interface LocalNode {
  /** Shard index. */
  readonly shard: number;
  /** Replica index within the shard. */
  readonly replica: number;
  /** Base URL, stable across restarts. */
  readonly url: string;
  /** Data folder, when the cluster has one. */
  readonly dataDir: string | undefined;
  /** Process id of the running process, or undefined while it is down. */
  readonly pid: number | undefined;
  /** The adapter pointing at this node (the one in the topology). */
  readonly backend: ReferenceBackend;
}

/** A running local cluster. */
export interface LocalCluster extends AsyncDisposable {
  /** The cluster for `createMesh({ clusters: [cluster.topology] })`. */
  readonly topology: ClusterOptions;
  /** Every node, shard by shard. */
  readonly nodes: readonly LocalNode[];
  /** Sends a signal to a node's process (SIGKILL by default) and waits until it has exited. */
  kill(shard: number, replica: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped node again on the same port and data folder. */
  restart(shard: number, replica: number): Promise<void>;
  /**
   * Freezes a node's process (SIGSTOP): it keeps its sockets open but answers nothing, as a
   * hung server does, until {@link LocalCluster.resume}. Does nothing for a node that is down.
   */
  pause(shard: number, replica: number): void;
  /** Lets a paused node's process run again (SIGCONT). */
  resume(shard: number, replica: number): void;
  /** Stops every node (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
}

interface NodeSlot {
  shard: number;
  replica: number;
  port: number;
  url: string;
  dataDir: string | undefined;
  child: ChildProcess | undefined;
  backend: ReferenceBackend;
}

/** Every child of every local cluster in this process, killed when the process exits. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Spawns `shards x replicas` reference-node processes on free loopback ports and returns the
 * topology that points at them. Every child is killed when this process exits, and each child
 * exits by itself when this process dies (it watches its IPC channel).
 *
 * @throws `InvalidOptionError` for bad options; `UnavailableError` when a node does
 * not start in time (the nodes already started are stopped).
 * @example
 * ```ts
 * const cluster = await startLocalCluster({ shards: 3, replicas: 2, dataDir: './data' });
 * const mesh = createMesh({ clusters: [cluster.topology] });
 * await mesh.connect();
 * await cluster.kill(0, 1); // SIGKILL shard 0, replica 1
 * await cluster.restart(0, 1);
 * await mesh.close();
 * await cluster.stop();
 * ```
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const raw = optionObject(options, 'options');
  rejectUnknownKeys(raw, '', [
    'shards',
    'replicas',
    'dataDir',
    'name',
    'apiKey',
    'fsync',
    'startTimeoutMs',
  ]);
  const shards = optionInteger(options.shards, 'shards', 3, 1, 64);
  const replicas = optionInteger(options.replicas, 'replicas', 2, 1, 16);
  const startTimeoutMs = optionInteger(options.startTimeoutMs, 'startTimeoutMs', 15_000, 100);
  if (options.dataDir !== undefined && typeof options.dataDir !== 'string') {
    throw new InvalidOptionError(
      `\`dataDir\` must be a string, received ${describeValue(options.dataDir)}`,
    );
  }
  installExitHook();
  const slots: NodeSlot[] = [];
  const start = async (slot: NodeSlot): Promise<void> => {
    if (slot.dataDir !== undefined) await mkdir(slot.dataDir, { recursive: true });
    const args = ['node', '--host', '127.0.0.1', '--port', String(slot.port), '--exit-with-parent'];
    if (slot.dataDir !== undefined) args.push('--data-dir', slot.dataDir);
    if (options.apiKey !== undefined) args.push('--api-key', options.apiKey);
    if (options.fsync === false) args.push('--no-fsync');
    const { child, port } = await spawnNode(args, startTimeoutMs);
    slot.child = child;
    if (slot.port === 0) {
      slot.port = port;
      slot.url = `http://127.0.0.1:${port}`;
    }
  };
  try {
    for (let s = 0; s < shards; s++) {
      for (let r = 0; r < replicas; r++) {
        const slot: NodeSlot = {
          shard: s,
          replica: r,
          port: 0,
          url: '',
          dataDir: options.dataDir === undefined ? undefined : join(options.dataDir, `s${s}-r${r}`),
          child: undefined,
          backend: undefined as unknown as ReferenceBackend,
        };
        slots.push(slot);
      }
    }
    // Start in parallel: a 3 x 2 cluster comes up in the time of one node.
    await Promise.all(slots.map(start));
  } catch (error) {
    await Promise.all(slots.map((slot) => stopChild(slot.child)));
    throw error;
  }
  for (const slot of slots) {
    slot.backend = referenceBackend(
      options.apiKey === undefined ? { url: slot.url } : { url: slot.url, apiKey: options.apiKey },
    );
  }
  const find = (shard: number, replica: number): NodeSlot => {
    const slot = slots.find((s) => s.shard === shard && s.replica === replica);
    if (!slot) {
      throw new InvalidOptionError(`no node at shard ${shard}, replica ${replica} in this cluster`);
    }
    return slot;
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(slots.map((slot) => stopChild(slot.child)));
    await Promise.all(slots.map((slot) => slot.backend.close()));
  };
  return {
    topology: {
      name: options.name ?? 'local',
      shards: Array.from({ length: shards }, (_, s) => ({
        name: `s${s}`,
        replicas: slots
          .filter((slot) => slot.shard === s)
          .map((slot) => ({ name: `r${slot.replica}`, backend: slot.backend })),
      })),
    },
    get nodes(): readonly LocalNode[] {
      return slots.map((slot) => ({
        shard: slot.shard,
        replica: slot.replica,
        url: slot.url,
        dataDir: slot.dataDir,
        pid: slot.child?.exitCode === null ? slot.child.pid : undefined,
        backend: slot.backend,
      }));
    },
    kill: async (shard, replica, signal = 'SIGKILL') => {
      const slot = find(shard, replica);
      await signalChild(slot.child, signal);
      slot.child = undefined;
    },
    restart: async (shard, replica) => {
      const slot = find(shard, replica);
      if (slot.child !== undefined && slot.child.exitCode === null) return;
      await start(slot);
    },
    pause: (shard, replica) => {
      const child = find(shard, replica).child;
      if (child?.exitCode === null) child.kill('SIGSTOP');
    },
    resume: (shard, replica) => {
      const child = find(shard, replica).child;
      if (child?.exitCode === null) child.kill('SIGCONT');
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Where the CLI is: compiled next to this file, or the TypeScript source run through tsx. */
function cliCommand(): { execArgv: string[]; script: string } {
  const js = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  if (existsSync(js)) return { execArgv: [], script: js };
  const ts = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
  return { execArgv: ['--import', 'tsx'], script: ts };
}

/** Spawns one node and waits for its "listening" line. */
function spawnNode(
  args: string[],
  timeoutMs: number,
): Promise<{ child: ChildProcess; port: number }> {
  const { execArgv, script } = cliCommand();
  const child = spawn(process.execPath, [...execArgv, script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new UnavailableError(
          `reference node did not start: ${why}${stderr ? `; stderr: ${stderr.trim()}` : ''}`,
        ),
      );
    };
    const timer = setTimeout(() => {
      fail(`no "listening" line within ${timeoutMs} ms`);
    }, timeoutMs);
    child.once('exit', (code) => {
      fail(`it exited with code ${String(code)}`);
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        return; // Not ours: the node may log other lines.
      }
      const event = message as { event?: unknown; port?: unknown };
      if (event.event === 'listening' && typeof event.port === 'number') {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.once('exit', () => live.delete(child));
        resolve({ child, port: event.port });
      }
    });
  });
}

/** Sends `signal` and resolves when the process has exited. */
function signalChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    child.kill(signal);
  });
}

/** SIGTERM (the node snapshots and exits), then SIGKILL if it takes more than 5 s. */
async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  child.kill('SIGCONT'); // a paused node would not act on SIGTERM until it runs again
  await signalChild(child, 'SIGTERM');
  clearTimeout(timer);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a SIGKILL is all there is time for.
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}
