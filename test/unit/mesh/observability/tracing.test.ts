/** Spans for search and upsert, with one child span per shard, through a registered tracer. */
import { context, trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { faultyMesh, somePoints } from '../../../helpers/faulty-mesh.js';
import { TestContextManager, TestTracerProvider } from '../../metrics/test-tracer.js';

const provider = new TestTracerProvider();
context.setGlobalContextManager(new TestContextManager());
trace.setGlobalTracerProvider(provider);
afterAll(() => {
  trace.disable();
  context.disable();
});

describe('tracing through the mesh', () => {
  it('opens a span per operation and a child span per shard', async () => {
    const fx = await faultyMesh({ shards: 3, replicas: 1 });
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await docs.upsert(somePoints(30));
    await docs.search({ vectors: [[1, 2, 3, 4]], topK: 3 });
    await fx.mesh.close();

    const [upsert] = provider.named('vecmesh.upsert');
    const [search] = provider.named('vecmesh.search');
    expect(upsert).toBeDefined();
    expect(search).toBeDefined();
    const childrenOf = (id: string) =>
      provider.named('vecmesh.shard').filter((s) => s.parentSpanId === id);
    expect(childrenOf(upsert!.spanContext().spanId)).toHaveLength(3);
    expect(childrenOf(search!.spanContext().spanId)).toHaveLength(3);
    expect(search!.attributes['vecmesh.collection']).toBe('docs');
  });
});
