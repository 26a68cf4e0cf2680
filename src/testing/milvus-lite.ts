/**
 * Milvus Lite (the PyPI package `milvus-lite`, a gRPC server written in Python) as a child
 * process on a free loopback port, for tests and examples of the Milvus adapter.
 *
 * It needs a Python (3.10 or newer) that has the package: `python3 -m pip install
 * milvus-lite==3.2.2`, the version vecmesh is tested against. In the vecmesh repository, the test
 * run installs it into `.venv-services/`, which is the default Python when it exists.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { UnavailableError, messageOf } from '../core/errors.js';
import { optionInteger, optionObject, optionString, rejectUnknownKeys } from '../core/options.js';
import { freePort, stopChild, trackChild } from './child-process.js';

/** The `milvus-lite` version vecmesh is tested against, named in the install hint of errors. */
export const MILVUS_LITE_VERSION = '3.2.2';

/**
 * The Python {@link startMilvusLite} runs when not told: `VECMESH_MILVUS_PYTHON`, else
 * `.venv-services/bin/python` under `cwd` when it exists, else `python3` from PATH.
 *
 * @param env - The environment to read `VECMESH_MILVUS_PYTHON` from.
 * @param cwd - The folder that may hold `.venv-services/`.
 * @returns A path, or a name looked up on PATH.
 *
 * @example
 * ```ts
 * defaultMilvusPython({}, '/tmp'); // 'python3'
 * ```
 */
export function defaultMilvusPython(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  const given = env.VECMESH_MILVUS_PYTHON;
  if (given !== undefined && given !== '') return given;
  const venv = join(cwd, '.venv-services', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

/**
 * What to run (or set) to get a Python with milvus-lite: `python` is the Python that lacks it,
 * or `undefined` when there is no Python at all.
 */
function installHint(python: string | undefined): string {
  const install =
    python === undefined
      ? `Install Python 3.10 or newer, then milvus-lite with \`python3 -m pip install milvus-lite==${MILVUS_LITE_VERSION}\``
      : `Install it with \`${python} -m pip install milvus-lite==${MILVUS_LITE_VERSION}\``;
  return `${install} (in a virtualenv if that Python refuses), or pass the \`python\` option (or set VECMESH_MILVUS_PYTHON) to a Python that has it`;
}

/** Options of {@link startMilvusLite}. */
export interface MilvusLiteOptions {
  /**
   * The Python interpreter that has `milvus-lite` installed: a path, or a name looked up on PATH.
   * @default `process.env.VECMESH_MILVUS_PYTHON`, else `.venv-services/bin/python` under
   *   `process.cwd()` when it exists (the vecmesh repository's test venv), else `python3`
   */
  python?: string;
  /**
   * Where the server keeps its data. When absent, a fresh temporary folder, removed by `stop()`.
   * @default a new folder under the OS temp dir
   */
  dataDir?: string;
  /**
   * The loopback port to listen on.
   * @default a free port chosen by the kernel
   */
  port?: number;
  /**
   * Longest wait for the server to accept connections, in milliseconds.
   * @default 60000
   */
  startTimeoutMs?: number;
  /**
   * Grace period of `stop()` between SIGTERM and SIGKILL, in milliseconds.
   * @default 5000
   */
  stopTimeoutMs?: number;
}

/** A running Milvus Lite server. */
export interface MilvusLite extends AsyncDisposable {
  /** `127.0.0.1:<port>`, for `milvusBackend({ address })`. */
  readonly address: string;
  /** The loopback port. */
  readonly port: number;
  /** The server's data folder. */
  readonly dataDir: string;
  /** The server's process id. */
  readonly pid: number;
  /**
   * Stops the server (SIGTERM, then SIGKILL after `stopTimeoutMs`) and removes a temporary data
   * folder. Idempotent.
   */
  stop(): Promise<void>;
}

// Runs the server so that it dies with its parent: on Linux through PR_SET_PDEATHSIG (even when
// the parent is SIGKILLed), elsewhere when its stdin (a pipe from the parent) reaches EOF.
const BOOTSTRAP = `
import ctypes, os, runpy, sys, threading
try:
    ctypes.CDLL(None).prctl(1, 9)
except Exception:
    pass
if os.getppid() == 1:
    os._exit(0)
def watch():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)
threading.Thread(target=watch, daemon=True).start()
sys.argv = ['milvus_lite'] + sys.argv[1:]
runpy.run_module('milvus_lite', run_name='__main__', alter_sys=True)
`;

/**
 * Starts Milvus Lite on `127.0.0.1` and waits until it accepts connections.
 *
 * The child never outlives this process: it is killed when this process exits, and it exits by
 * itself when this process dies.
 *
 * @param options - Python path, data folder, port and timeouts.
 * @returns The running server.
 * @throws `InvalidOptionError` for bad options; `UnavailableError` when the Python does not
 *   exist or cannot import `milvus_lite` (the message names the command that installs it,
 *   `python3 -m pip install milvus-lite==3.2.2`, and the `python` option and
 *   `VECMESH_MILVUS_PYTHON`), or when the server exits or does not accept connections in time.
 *
 * @example
 * ```ts
 * import { startMilvusLite } from 'vecmesh/testing';
 * import { milvusBackend } from 'vecmesh/milvus';
 *
 * const lite = await startMilvusLite();
 * const backend = milvusBackend({ address: lite.address });
 * await backend.connect();
 * // ...
 * await backend.close();
 * await lite.stop();
 * ```
 */
export async function startMilvusLite(options: MilvusLiteOptions = {}): Promise<MilvusLite> {
  const raw = optionObject(options, 'options');
  rejectUnknownKeys(raw, '', ['python', 'dataDir', 'port', 'startTimeoutMs', 'stopTimeoutMs']);
  const python = optionString(raw.python, 'python') ?? defaultMilvusPython();
  const givenDir = optionString(raw.dataDir, 'dataDir');
  const startTimeoutMs = optionInteger(raw.startTimeoutMs, 'startTimeoutMs', 60_000, 100);
  const stopTimeoutMs = optionInteger(raw.stopTimeoutMs, 'stopTimeoutMs', 5_000, 0);
  const port = optionInteger(raw.port, 'port', 0, 1, 65_535) || (await freePort());
  if (python.includes('/') && !existsSync(python)) {
    throw new UnavailableError(
      `Milvus Lite cannot start: no Python at ${python}. ${installHint(undefined)}.`,
    );
  }
  const dataDir = givenDir ?? (await mkdtemp(join(tmpdir(), 'vecmesh-milvus-lite-')));
  const removeDir = givenDir === undefined;
  const args = ['server', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', String(port)];
  const child = spawn(python, ['-c', BOOTSTRAP, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  trackChild(child);
  let spawnError: NodeJS.ErrnoException | undefined;
  child.once('error', (error: NodeJS.ErrnoException) => {
    spawnError = error;
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // An EPIPE on the watcher's stdin after the child died is expected; never let it throw.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    child.once('error', () => {
      resolve();
    });
  });
  // After `exit`, the last of its output may still be in the pipes: `close` comes after it.
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => {
      resolve();
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await stopChild(child, stopTimeoutMs, exited);
      child.stdin.destroy();
      if (removeDir) await rm(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    await waitForServer(child, port, startTimeoutMs, exited);
  } catch (err) {
    await stop();
    await Promise.race([closed, delay(2_000, undefined, { ref: false })]);
    if (spawnError?.code === 'ENOENT') {
      throw new UnavailableError(
        `Milvus Lite cannot start: no Python \`${python}\` on PATH. ${installHint(undefined)}.`,
        { cause: spawnError },
      );
    }
    // runpy says "No module named milvus_lite"; an import inside it "No module named 'numpy'".
    const missing = /No module named '?([\w.]+)/.exec(output)?.[1];
    if (missing !== undefined) {
      const what =
        missing === 'milvus_lite'
          ? 'has no milvus_lite'
          : `cannot import ${missing}, needed by milvus_lite`;
      throw new UnavailableError(
        `Milvus Lite cannot start: ${python} ${what}. ${installHint(python)}.`,
        { cause: err },
      );
    }
    throw new UnavailableError(
      `Milvus Lite did not start on 127.0.0.1:${port}: ${messageOf(err)}${output.trim() === '' ? '' : `; output: ${output.trim()}`}`,
      { cause: err },
    );
  }
  return {
    address: `127.0.0.1:${port}`,
    port,
    dataDir,
    pid: child.pid ?? -1,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Resolves once the server has printed its "listening" line and a TCP connection to its port
 * succeeds; rejects when the child exits first or the time is up.
 */
function waitForServer(
  child: ChildProcess,
  port: number,
  timeoutMs: number,
  exited: Promise<void>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString('utf8')).slice(-4000);
      if (!seen.includes(`listening on 127.0.0.1:${port}`)) return;
      child.stdout?.off('data', onData);
      void canConnect(port).then((ok) => {
        finish(ok ? undefined : new Error('it printed "listening" but refuses connections'));
      });
    };
    const timer = setTimeout(() => {
      finish(new Error(`no "listening" line within ${timeoutMs} ms`));
    }, timeoutMs);
    let done = false;
    const finish = (err: Error | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      if (err === undefined) resolve();
      else reject(err);
    };
    child.stdout?.on('data', onData);
    void exited.then(() => {
      finish(new Error(`the process exited (${String(child.exitCode ?? child.signalCode)})`));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
