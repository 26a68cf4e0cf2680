/**
 * The virtualenv of the test services (`.venv-services/`): the Python check, its creation with
 * `python3 -m venv`, the install lock, and one pinned requirements file installed with its
 * sha256 stamp. test-services.ts says what goes into it.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join, relative, sep } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

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
export const PREFIX = 'vecmesh tests:';
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

export interface Resolved {
  readonly venvDir: string;
  readonly requirementsDir: string;
  readonly python: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
  readonly lockTimeoutMs: number;
  /** The venv as a message names it: relative to the working folder when inside it. */
  readonly shown: string;
}

export function resolveOptions(options: ServiceOptions): Resolved {
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

export function shownPath(path: string): string {
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

export interface RunResult {
  /** The exit code; `null` when it did not start or was killed. */
  readonly code: number | null;
  /** The last 8000 characters of stdout and stderr together. */
  readonly output: string;
  /** It could not be started: no such file, or not executable. */
  readonly notFound: boolean;
}

export function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<RunResult> {
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

export function indent(output: string): string {
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
export function pinnedVersion(requirements: string, name: string): string {
  const line = new RegExp(`^${name.replace(/[-_]/g, '[-_]')}==(\\S+)`, 'im').exec(requirements);
  return line?.[1] ?? '(unpinned)';
}

/** One requirements file installed into the venv, with its stamp. */
export interface Install {
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
export async function ensureInstalled(install: Install, o: Resolved): Promise<string> {
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
