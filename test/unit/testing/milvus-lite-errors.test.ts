/**
 * startMilvusLite's errors for a Python that cannot run Milvus Lite, as a user of the npm package
 * meets them (no repository scripts): each names the command that installs it. The system
 * `python3` has no milvus_lite (the repository's copy lives in .venv-services/), which makes the
 * first case a real check.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../src/core/errors.js';
import {
  MILVUS_LITE_VERSION,
  defaultMilvusPython,
  startMilvusLite,
} from '../../../src/testing/milvus-lite.js';
import { REQUIREMENTS_DIR } from '../../helpers/test-services.js';

async function startError(python: string): Promise<UnavailableError> {
  const err = await startMilvusLite({ python }).then(
    async (lite) => {
      await lite.stop();
      return new Error(`Milvus Lite started with ${python}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnavailableError);
  return err as UnavailableError;
}

describe('startMilvusLite with a Python that cannot run it', () => {
  it('a Python without milvus_lite: the error says how to install it', async () => {
    const err = await startError('python3');
    expect(err.message).toContain('Milvus Lite cannot start: python3 has no milvus_lite.');
    expect(err.message).toContain(
      `Install it with \`python3 -m pip install milvus-lite==${MILVUS_LITE_VERSION}\``,
    );
    expect(err.message).toContain('pass the `python` option (or set VECMESH_MILVUS_PYTHON)');
  });

  it('a Python path that does not exist', async () => {
    const err = await startError('/nonexistent/bin/python3');
    expect(err.message).toContain('no Python at /nonexistent/bin/python3.');
    expect(err.message).toContain(
      'Install Python 3.10 or newer, then milvus-lite with `python3 -m pip install milvus-lite==3.2.2`',
    );
    expect(err.message).toContain('VECMESH_MILVUS_PYTHON');
  });

  it('a Python name not on PATH', async () => {
    const err = await startError('vecmesh-no-such-python3');
    expect(err.message).toContain('no Python `vecmesh-no-such-python3` on PATH.');
    expect(err.message).toContain(
      'Install Python 3.10 or newer, then milvus-lite with `python3 -m pip install milvus-lite==3.2.2`',
    );
  });

  it('names the milvus-lite version the repository pins', async () => {
    const pins = await readFile(join(REQUIREMENTS_DIR, 'requirements-milvus.txt'), 'utf8');
    expect(pins).toMatch(
      new RegExp(`^milvus-lite==${MILVUS_LITE_VERSION.replace(/\./g, '\\.')}$`, 'm'),
    );
  });
});

describe('defaultMilvusPython', () => {
  let dir: string | undefined;

  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('is VECMESH_MILVUS_PYTHON, else the venv under the folder when it exists, else python3', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vecmesh-milvus-python-'));
    expect(defaultMilvusPython({}, dir)).toBe('python3');
    expect(defaultMilvusPython({ VECMESH_MILVUS_PYTHON: '' }, dir)).toBe('python3');
    const venvPython = join(dir, '.venv-services', 'bin', 'python');
    await mkdir(join(dir, '.venv-services', 'bin'), { recursive: true });
    await writeFile(venvPython, '');
    expect(defaultMilvusPython({}, dir)).toBe(venvPython);
    expect(defaultMilvusPython({ VECMESH_MILVUS_PYTHON: '/opt/py/bin/python' }, dir)).toBe(
      '/opt/py/bin/python',
    );
  });
});
