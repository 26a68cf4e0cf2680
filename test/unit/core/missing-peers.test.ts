/**
 * vecmesh where the optional peers are not installed. The `require` that
 * src/core/optional-dependency.ts makes is rooted in an empty temporary folder, so Node's own
 * resolution really fails for ioredis, prom-client and @opentelemetry/api (nothing is faked
 * beyond where the lookup starts); everything else imports as usual.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { memoryBackend } from '../../../src/backends/memory/index.js';
import { redisCacheStore } from '../../../src/cache/redis-store.js';
import { MissingDependencyError } from '../../../src/core/errors.js';
import { loadOptional, loadOptionalIfInstalled } from '../../../src/core/optional-dependency.js';
import { createMesh } from '../../../src/mesh/mesh.js';
import { prometheusMetrics } from '../../../src/metrics/prometheus-metrics.js';
import { MeshTracer } from '../../../src/tracing/mesh-tracer.js';

const where = vi.hoisted(() => ({ root: '' }));

vi.mock('node:module', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:module')>();
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  where.root = mkdtempSync(path.join(tmpdir(), 'vecmesh-no-peers-'));
  const createRequire: typeof original.createRequire = (from) =>
    String(from).endsWith('/src/core/optional-dependency.ts')
      ? original.createRequire(path.join(where.root, 'index.js'))
      : original.createRequire(from);
  // The module's named exports (a namespace object, not the Module class).
  return { ...(original as unknown as Record<string, unknown>), createRequire };
});

afterAll(() => {
  rmSync(where.root, { recursive: true, force: true });
});

/** The error `run` throws. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('without the optional peers installed', () => {
  it('really cannot resolve them from where vecmesh looks', async () => {
    const { createRequire } = await vi.importActual<typeof import('node:module')>('node:module');
    const fromRoot = createRequire(join(where.root, 'index.js'));
    for (const name of ['ioredis', 'prom-client', '@opentelemetry/api']) {
      expect(() => fromRoot.resolve(name), name).toThrow(/Cannot find module/);
    }
  });

  it('redisCacheStore({ url }) throws a MissingDependencyError naming ioredis and the command', () => {
    const error = thrown(() => redisCacheStore({ url: 'redis://127.0.0.1:6379' }));
    expect(error).toBeInstanceOf(MissingDependencyError);
    const missing = error as MissingDependencyError;
    expect(missing.packageName).toBe('ioredis');
    expect(missing.code).toBe('VECMESH_ERR_MISSING_DEPENDENCY');
    expect(missing.message).toBe(
      '`redisCacheStore({ url })` needs the optional peer dependency ioredis (^5.4.0 || ^6.0.0), which is not installed: run `npm install ioredis`',
    );
    expect((missing.cause as { code?: unknown }).code).toBe('MODULE_NOT_FOUND');
  });

  it("redisCacheStore({ client }) needs no ioredis of vecmesh's own", async () => {
    const client = new Redis({ lazyConnect: true });
    const store = redisCacheStore({ client });
    await expect(store.get('k')).rejects.toThrow(/not connected/);
    await store.close();
    client.disconnect();
  });

  it('prometheusMetrics() throws a MissingDependencyError naming prom-client', () => {
    const error = thrown(() => prometheusMetrics({ registry: new Registry() }));
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect((error as MissingDependencyError).packageName).toBe('prom-client');
    expect((error as Error).message).toMatch(/`npm install prom-client`$/);
  });

  it('tracing is a pass-through, unless a tracer provider is given explicitly', async () => {
    expect(loadOptionalIfInstalled('@opentelemetry/api')).toBeUndefined();
    const tracing = new MeshTracer();
    await expect(tracing.operation('search', {}, () => Promise.resolve(42))).resolves.toBe(42);
    const error = thrown(() => new MeshTracer({ tracerProvider: { getTracer: () => ({}) } }));
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect((error as Error).message).toMatch(
      /^`new MeshTracer\(\{ tracerProvider \}\)` needs .*@opentelemetry\/api.*`npm install @opentelemetry\/api`$/,
    );
  });

  it('a mesh works: writes, searches and closes', async () => {
    const mesh = createMesh({
      clusters: [{ name: 'local', shards: [{ replicas: [{ backend: memoryBackend() }] }] }],
    });
    await mesh.connect();
    const docs = await mesh.createCollection('docs', { dimension: 2, metric: 'l2' });
    await docs.upsert([{ id: 'a', vector: [1, 0] }]);
    const { hits } = await docs.search({ vectors: [[1, 0]], topK: 1 });
    expect(hits[0]?.[0]?.id).toBe('a');
    await mesh.close();
  });

  it('a package that is installed but fails to load is not reported as missing', () => {
    // Installed, but it requires something that is not: that error is rethrown as it is.
    const dir = join(where.root, 'node_modules', '@qdrant', 'js-client-rest');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"name":"@qdrant/js-client-rest","main":"i.js"}');
    writeFileSync(join(dir, 'i.js'), "require('vecmesh-test-absent-dependency');");
    const error = thrown(() => loadOptional('@qdrant/js-client-rest', 'qdrantBackend()'));
    expect(error).not.toBeInstanceOf(MissingDependencyError);
    expect((error as Error).message).toMatch(/vecmesh-test-absent-dependency/);
  });
});
