/**
 * `vecmesh/milvus` and `vecmesh/qdrant` without their SDKs (optional peer dependencies): a child
 * `node` process runs the real sources from a temporary folder whose `node_modules` holds every
 * package of this repository except `@zilliz/*` and `@qdrant/*`, so that Node's own resolver
 * cannot find them. Importing the subpaths and using what needs no SDK works; creating a backend
 * throws `MissingDependencyError` naming the package and the install command.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../../..');
const HIDDEN = new Set(['@zilliz', '@qdrant']);

// Runs in the child: every outcome as JSON on stdout.
const SCRIPT = `
import * as milvus from './src/backends/milvus/index.ts';
import * as qdrant from './src/backends/qdrant/index.ts';
import { parseFilter } from './src/core/filter.ts';
import { createRequire } from 'node:module';

const outcome = (make) => {
  try {
    make();
    return { ok: true };
  } catch (e) {
    return { name: e.name, code: e.code, packageName: e.packageName, message: e.message,
      causeCode: e.cause?.code };
  }
};
const filter = parseFilter({ lang: 'en' });
let resolvable = true;
try { createRequire(import.meta.url).resolve('@zilliz/milvus2-sdk-node'); } catch { resolvable = false; }
console.log(JSON.stringify({
  resolvable,
  milvusFilter: milvus.compileFilter(filter),
  milvusFields: milvus.MILVUS_FIELDS.id,
  qdrantFilter: qdrant.compileFilter(filter),
  qdrantId: qdrant.qdrantPointId('a'),
  milvusFactory: outcome(() => milvus.milvusBackend({ address: '127.0.0.1:19530' })),
  milvusClass: outcome(() => new milvus.MilvusBackend({ address: '127.0.0.1:19530' })),
  milvusBadOption: outcome(() => milvus.milvusBackend({ address: 'no port' })),
  qdrantFactory: outcome(() => qdrant.qdrantBackend({ url: 'http://127.0.0.1:6333' })),
  qdrantClass: outcome(() => new qdrant.QdrantBackend({ url: 'http://127.0.0.1:6333' })),
}));
`;

interface Outcome {
  ok?: true;
  name?: string;
  code?: string;
  packageName?: string;
  message?: string;
  causeCode?: string;
}

let folder: string;
let result: Record<string, unknown> &
  Record<`${string}${'Factory' | 'Class'}`, Outcome | undefined>;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'vecmesh-no-sdk-'));
  await cp(join(repo, 'src'), join(folder, 'src'), { recursive: true });
  await mkdir(join(folder, 'node_modules'));
  for (const entry of await readdir(join(repo, 'node_modules'))) {
    if (HIDDEN.has(entry) || entry.startsWith('.')) continue;
    await symlink(join(repo, 'node_modules', entry), join(folder, 'node_modules', entry));
  }
  await writeFile(join(folder, 'package.json'), JSON.stringify({ type: 'module' }));
  await writeFile(join(folder, 'main.ts'), SCRIPT);
  // The child must not find the SDKs through anything but its own folder.
  const env = { ...process.env, NODE_PATH: '', NODE_OPTIONS: '' };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: folder,
    env,
    timeout: 60_000,
  });
  result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as typeof result;
}, 90_000);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('the backend subpaths without their SDKs', () => {
  it('the SDK really cannot be resolved from the copy', () => {
    expect(result.resolvable).toBe(false);
  });

  it('import, and what needs no SDK works: filters, field names, point ids', () => {
    expect(result.milvusFilter).toContain('json_contains(vm_fields, "s:lang")');
    expect(result.milvusFields).toBe('vm_id');
    expect(result.qdrantFilter).toMatchObject({ must: expect.any(Array) as unknown });
    expect(result.qdrantId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['milvusFactory', '@zilliz/milvus2-sdk-node', 'milvusBackend()'],
    ['milvusClass', '@zilliz/milvus2-sdk-node', 'milvusBackend()'],
    ['qdrantFactory', '@qdrant/js-client-rest', 'qdrantBackend()'],
    ['qdrantClass', '@qdrant/js-client-rest', 'qdrantBackend()'],
  ] as const)(
    '%s throws MissingDependencyError naming %s and the install command',
    (key, packageName, feature) => {
      const outcome = result[key];
      expect(outcome).toMatchObject({
        name: 'MissingDependencyError',
        code: 'VECMESH_ERR_MISSING_DEPENDENCY',
        packageName,
        causeCode: 'MODULE_NOT_FOUND',
      });
      expect(outcome?.message).toContain(feature);
      expect(outcome?.message).toContain(`npm install ${packageName}`);
    },
  );

  it('a bad option is still reported as such, before the SDK is looked for', () => {
    expect(result.milvusBadOption).toMatchObject({ name: 'InvalidOptionError' });
  });
});
