/**
 * The packed-package check: what an application gets from `npm install vecmesh`.
 *
 *   npm run check:package            # CI runs it; about a minute, needs the npm registry
 *   npm run check:package -- --json  # the figures as one JSON object on the last line
 *   npm run check:package -- --sizes # also what each optional feature adds to an install
 *
 * It packs the package (`npm pack` runs `prepack`, which builds), checks the tarball's contents,
 * installs it into an empty application in a temporary folder, and then, as that application:
 * measures the install (bytes and packages, no EBADENGINE warning), imports every subpath with
 * `import` and with `require`, runs a mesh over a memory backend and a reference node, checks
 * that a missing optional peer is a typed error naming the package, runs `npx vecmesh
 * --version`, typechecks a TypeScript file against the published declarations with
 * `skipLibCheck: false` and no optional peer installed, and finally installs `prom-client` and
 * `ioredis` and hands the app's own instances to vecmesh.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SUBPATHS = ['vecmesh', 'vecmesh/node', 'vecmesh/milvus', 'vecmesh/qdrant', 'vecmesh/testing'];
/** The install-size target of the issue that made vecmesh's peers optional. */
const MAX_INSTALL_BYTES = 50 * 1024 * 1024;

interface Manifest {
  version: string;
  peerDependencies: Record<string, string>;
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

const failures: string[] = [];
const figures: Record<string, unknown> = {};

/** Runs one named check; a thrown error is recorded and the next check still runs. */
function check(name: string, body: () => void): void {
  try {
    body();
    console.log(`ok   ${name}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    failures.push(`${name}: ${message}`);
    console.log(`FAIL ${name}\n     ${message.split('\n').join('\n     ')}`);
  }
}

/** Runs a command, returning its stdout and stderr; a non-zero exit throws with both. */
function run(cwd: string, command: string, args: string[]): { stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: process.env });
  if (result.status !== 0) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` exited with ${result.status}:\n${result.stdout}${result.stderr}`,
    );
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Runs a command, returning everything it printed. */
function output(cwd: string, command: string, args: string[]): string {
  const { stdout, stderr } = run(cwd, command, args);
  return stdout + stderr;
}

/** Total bytes of the files under `dir`. */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

// The same smoke test for `import` and `require`: two shards, one in memory and one on a real
// reference-node process's store (usearch's native binary loads without install scripts).
const SMOKE = `
async function smoke(vecmesh, node, dataDir) {
  const server = await node.startNode({ port: 0, dataDir });
  const mesh = vecmesh.createMesh({
    clusters: [{ name: 'app', shards: [
      { replicas: [{ backend: vecmesh.memoryBackend() }] },
      { replicas: [{ backend: node.referenceBackend({ url: server.url }) }] },
    ] }],
  });
  try {
    await mesh.connect();
    const docs = await mesh.createCollection('docs', { dimension: 3, metric: 'cosine' });
    const points = [];
    for (let i = 0; i < 40; i++) points.push({ id: 'p' + i, vector: [1, i / 40, 0.5] });
    points.push({ id: 'target', vector: [0, 0, 1] });
    await docs.upsert(points);
    const { hits } = await docs.search({ vectors: [[0, 0, 1]], topK: 3 });
    if (hits[0][0].id !== 'target') throw new Error('unexpected top hit ' + JSON.stringify(hits[0][0]));
    if ((await docs.count()) !== 41) throw new Error('count is not 41');
  } finally {
    await mesh.close();
    await server.close();
  }
}
async function missingPeers(vecmesh, milvus, qdrant) {
  const attempts = {
    ioredis: () => vecmesh.redisCacheStore({ url: 'redis://127.0.0.1:1' }),
    '@zilliz/milvus2-sdk-node': () => milvus.milvusBackend({ address: '127.0.0.1:1' }),
    '@qdrant/js-client-rest': () => qdrant.qdrantBackend({ url: 'http://127.0.0.1:1' }),
  };
  for (const [name, attempt] of Object.entries(attempts)) {
    try {
      attempt();
    } catch (error) {
      if (!(error instanceof vecmesh.MissingDependencyError)) throw error;
      if (error.packageName !== name || !error.message.includes('npm install ' + name)) {
        throw new Error('the error does not name ' + name + ': ' + error.message);
      }
      continue;
    }
    throw new Error('no MissingDependencyError without ' + name);
  }
}
`;

const ESM_APP = `
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
${SUBPATHS.map((s, i) => `import * as m${i} from '${s}';`).join('\n')}
${SMOKE}
await smoke(m0, m1, mkdtempSync(join(tmpdir(), 'vecmesh-esm-')));
await missingPeers(m0, m2, m3);
console.log('esm ok', [m0, m1, m2, m3, m4].map((m) => Object.keys(m).length).join(','));
`;

const CJS_APP = `
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const [m0, m1, m2, m3, m4] = ${JSON.stringify(SUBPATHS)}.map((s) => require(s));
${SMOKE}
smoke(m0, m1, mkdtempSync(join(tmpdir(), 'vecmesh-cjs-')))
  .then(() => missingPeers(m0, m2, m3))
  .then(() => console.log('cjs ok', [m0, m1, m2, m3, m4].map((m) => Object.keys(m).length).join(',')))
  .catch((error) => { console.error(error); process.exitCode = 1; });
`;

// Compiled with skipLibCheck false: every published declaration must resolve without the
// optional peers.
const TS_APP = `
import { createMesh, memoryBackend, type MeshOptions, type SearchResult } from 'vecmesh';
import { referenceBackend, startNode } from 'vecmesh/node';
import { faultyBackend } from 'vecmesh/testing';
import type { MilvusBackendOptions } from 'vecmesh/milvus';
import type { QdrantBackendOptions } from 'vecmesh/qdrant';

const options: MeshOptions = {
  clusters: [{ name: 'app', shards: [{ replicas: [{ backend: faultyBackend(memoryBackend(), {}) }] }] }],
};
export const mesh = createMesh(options);
export type Used = [SearchResult, MilvusBackendOptions, QdrantBackendOptions, typeof referenceBackend, typeof startNode];
`;

const TS_CONFIG = {
  compilerOptions: {
    target: 'ES2023',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    types: ['node'],
  },
  files: ['app.ts'],
};

// The app's own prom-client Registry and ioredis client, of whatever version npm picks from
// vecmesh's peer ranges.
const PEERS_APP = `
import { Registry } from 'prom-client';
import { Redis } from 'ioredis';
import { createMesh, memoryBackend, prometheusMetrics, redisCacheStore } from 'vecmesh';

const registry = new Registry();
const client = new Redis({ lazyConnect: true, enableOfflineQueue: false });
const store = redisCacheStore({ client });
const mesh = createMesh({
  clusters: [{ name: 'app', shards: [{ replicas: [{ backend: memoryBackend() }] }] }],
  metrics: prometheusMetrics({ registry }),
});
await mesh.connect();
const docs = await mesh.createCollection('docs', { dimension: 2, metric: 'l2' });
await docs.upsert([{ id: 1, vector: [0, 1] }]);
await docs.search({ vectors: [[0, 1]], topK: 1 });
const text = await registry.metrics();
if (!/vecmesh_requests_total\\{[^}]*operation="search"/.test(text)) throw new Error('no search metric on the app registry');
await mesh.close();
await store.close();
client.disconnect();
console.log('peers ok');
`;

/** The names of the packages installed in an app (`npm ls` also lists absent optional peers). */
function installedPackages(app: string): Set<string> {
  interface LsNode {
    version?: string;
    dependencies?: Record<string, LsNode>;
  }
  const names = new Set<string>();
  const walk = (node: LsNode): void => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      if (child.version !== undefined) names.add(`${name}@${child.version}`);
      walk(child);
    }
  };
  walk(JSON.parse(run(app, 'npm', ['ls', '--all', '--json']).stdout) as LsNode);
  return names;
}

/** The optional features and the packages each one adds (the README's install table). */
const FEATURES: Readonly<Record<string, readonly string[]>> = {
  'vecmesh/milvus': ['@zilliz/milvus2-sdk-node'],
  'vecmesh/qdrant': ['@qdrant/js-client-rest'],
  'Redis cache': ['ioredis'],
  'Prometheus metrics': ['prom-client'],
  'OpenTelemetry tracing': ['@opentelemetry/api'],
};

/**
 * What each optional feature adds to `npm install vecmesh`: one fresh app per feature, with the
 * tarball and the feature's packages (at the newest versions in vecmesh's peer ranges).
 */
function measureFeatures(
  work: string,
  tarball: string,
  baseBytes: number,
  baseCount: number,
): void {
  const added: Record<string, { mb: number; packages: number; engineWarnings: unknown[] }> = {};
  for (const [feature, packages] of Object.entries(FEATURES)) {
    const dir = mkdtempSync(join(work, 'feature-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    const specs = packages.map((name) => `${name}@${manifest.peerDependencies[name] ?? 'latest'}`);
    const out = output(dir, 'npm', ['install', '--no-audit', '--no-fund', tarball, ...specs]);
    added[feature] = {
      mb: Math.round(((bytesUnder(join(dir, 'node_modules')) - baseBytes) / 1024 / 1024) * 10) / 10,
      packages: installedPackages(dir).size - baseCount,
      engineWarnings: [...out.matchAll(/EBADENGINE\s+package: '([^']+)'/g)].map((m) => m[1]),
    };
    rmSync(dir, { recursive: true, force: true });
  }
  figures.feature_added = added;
}

function main(): number {
  const json = process.argv.includes('--json');
  const sizes = process.argv.includes('--sizes');
  const work = mkdtempSync(join(tmpdir(), 'vecmesh-package-'));
  const app = join(work, 'app');
  try {
    let tarball = '';
    check('npm pack (prepack builds)', () => {
      const { stdout } = run(ROOT, 'npm', ['pack', '--json', '--pack-destination', work]);
      // The JSON report follows whatever the prepack build printed.
      const packed = JSON.parse(stdout.slice(stdout.search(/^\[/m))) as {
        filename: string;
        size: number;
        files: { path: string }[];
      }[];
      const first = packed[0];
      if (first === undefined) throw new Error('npm pack reported no tarball');
      tarball = join(work, first.filename);
      figures.tarball_bytes = first.size;
      const paths = first.files.map((f) => f.path);
      figures.tarball_files = paths.length;
      for (const needed of ['LICENSE', 'README.md', 'package.json', 'dist/index.js']) {
        if (!paths.includes(needed)) throw new Error(`the tarball has no ${needed}`);
      }
      const maps = paths.filter((p) => p.endsWith('.map'));
      if (maps.length > 0) throw new Error(`the tarball ships source maps: ${maps.join(', ')}`);
      const strays = paths.filter(
        (p) => !/^(dist\/|docs\/[^/]+\.md$|LICENSE$|README\.md$|package\.json$)/.test(p),
      );
      if (strays.length > 0)
        throw new Error(`unexpected files in the tarball: ${strays.join(', ')}`);
    });
    if (tarball === '') return finish(json);

    check('install into an empty app: no EBADENGINE, size', () => {
      run(work, 'mkdir', ['-p', app]);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
      const out = output(app, 'npm', ['install', '--no-audit', '--no-fund', tarball]);
      if (out.includes('EBADENGINE')) throw new Error(`npm warned about engines:\n${out}`);
      const bytes = bytesUnder(join(app, 'node_modules'));
      const names = installedPackages(app);
      figures.install_bytes = bytes;
      figures.install_mb = Math.round((bytes / 1024 / 1024) * 10) / 10;
      figures.install_packages = names.size;
      figures.usearch_mb =
        Math.round((bytesUnder(join(app, 'node_modules', 'usearch')) / 1024 / 1024) * 10) / 10;
      for (const peer of Object.keys(manifest.peerDependencies)) {
        if (existsSync(join(app, 'node_modules', peer))) {
          throw new Error(`the optional peer ${peer} was installed`);
        }
      }
      if (bytes > MAX_INSTALL_BYTES) {
        throw new Error(
          `node_modules holds ${(bytes / 1024 / 1024).toFixed(1)} MB, over the 50 MB target`,
        );
      }
    });

    if (sizes)
      check('what each optional feature adds', () => {
        measureFeatures(
          work,
          tarball,
          Number(figures.install_bytes),
          Number(figures.install_packages),
        );
      });
    check('import every subpath (ESM), mesh smoke test, missing peers', () => {
      writeFileSync(join(app, 'esm.mjs'), ESM_APP);
      const out = output(app, 'node', ['esm.mjs']);
      if (!out.includes('esm ok')) throw new Error(out);
    });
    check('require every subpath (CommonJS), mesh smoke test, missing peers', () => {
      writeFileSync(join(app, 'cjs.cjs'), CJS_APP);
      const out = output(app, 'node', ['cjs.cjs']);
      if (!out.includes('cjs ok')) throw new Error(out);
      if (out.includes('ExperimentalWarning')) throw new Error(`require() warned:\n${out}`);
    });
    check('npx vecmesh --version', () => {
      const out = run(app, 'npx', ['--no-install', 'vecmesh', '--version']).stdout.trim();
      if (out !== manifest.version)
        throw new Error(`printed ${JSON.stringify(out)}, expected ${manifest.version}`);
    });
    check('TypeScript app, skipLibCheck false, no optional peer installed', () => {
      const typescript = readPinned('typescript');
      const types = readPinned('@types/node');
      run(app, 'npm', [
        'install',
        '--no-audit',
        '--no-fund',
        '--no-save',
        `typescript@${typescript}`,
        `@types/node@${types}`,
      ]);
      writeFileSync(join(app, 'app.ts'), TS_APP);
      writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(TS_CONFIG));
      run(app, 'npx', ['--no-install', 'tsc', '-p', '.']);
    });
    check("the app's own prom-client Registry and ioredis client", () => {
      run(app, 'npm', ['install', '--no-audit', '--no-fund', 'prom-client', 'ioredis']);
      writeFileSync(join(app, 'peers.mjs'), PEERS_APP);
      const out = output(app, 'node', ['peers.mjs']);
      if (!out.includes('peers ok')) throw new Error(out);
      figures.app_peer_versions = execFileSync(
        'npm',
        ['ls', 'prom-client', 'ioredis', '--depth=0'],
        { cwd: app, encoding: 'utf8' },
      )
        .split('\n')
        .filter((l) => l.includes('@'))
        .slice(1)
        .map((l) => l.replace(/^[^a-z@]+/i, ''));
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return finish(json);
}

/** The exact version the project's lockfile installed of a dev tool. */
function readPinned(name: string): string {
  const pkg = JSON.parse(
    readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'),
  ) as { version: string };
  return pkg.version;
}

function finish(json: boolean): number {
  console.log(
    `\n${failures.length === 0 ? 'packed package: every check passed' : `packed package: ${failures.length} check(s) failed`}`,
  );
  for (const [key, value] of Object.entries(figures))
    console.log(`  ${key}: ${JSON.stringify(value)}`);
  if (json) console.log(JSON.stringify({ ...figures, failures }));
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = main();
