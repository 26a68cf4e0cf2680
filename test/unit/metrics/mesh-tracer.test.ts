import { context, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { ShardUnavailableError } from '../../../src/core/errors.js';
import { InvalidOptionError } from '../../../src/core/errors.js';
import { MeshTracer, TRACER_NAME } from '../../../src/tracing/index.js';
import { TestContextManager, TestTracerProvider } from './test-tracer.js';

const SHARDS = [
  { cluster: 'us', shard: 's0', replica: 'us/s0/r0' },
  { cluster: 'us', shard: 's1', replica: 'us/s1/r1' },
  { cluster: 'us', shard: 's2', replica: 'us/s2/r0' },
];

function fanOut(tracing: MeshTracer): Promise<string[]> {
  return tracing.operation('search', { collection: 'docs', queries: 2, topK: 10 }, (op) =>
    Promise.all(
      SHARDS.map((t) =>
        op.shard({ cluster: t.cluster, shard: t.shard }, async (span) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          span.setReplica(t.replica);
          return t.shard;
        }),
      ),
    ),
  );
}

afterEach(() => {
  trace.disable();
  context.disable();
});

describe('MeshTracer', () => {
  it('opens a search span with one child span per shard, without a context manager', async () => {
    const provider = new TestTracerProvider();
    const tracing = new MeshTracer({ tracerProvider: provider });
    expect(await fanOut(tracing)).toEqual(['s0', 's1', 's2']);
    expect(provider.scopes).toEqual([TRACER_NAME]);
    const [root] = provider.named('vecmesh.search');
    expect(root).toBeDefined();
    expect(root!.parentSpanId).toBeUndefined();
    expect(root!.attributes).toEqual({
      'vecmesh.operation': 'search',
      'vecmesh.collection': 'docs',
      'vecmesh.queries': 2,
      'vecmesh.top_k': 10,
    });
    const shards = provider.named('vecmesh.shard');
    expect(shards).toHaveLength(3);
    for (const [i, span] of shards.entries()) {
      expect(span.parentSpanId).toBe(root!.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(root!.spanContext().traceId);
      expect(span.attributes).toEqual({
        'vecmesh.cluster': SHARDS[i]!.cluster,
        'vecmesh.shard': SHARDS[i]!.shard,
        'vecmesh.replica': SHARDS[i]!.replica,
      });
      expect(span.ended).toBe(true);
    }
    expect(root!.ended).toBe(true);
    expect(provider.spans).toHaveLength(4);
  });

  it('records a shard failure on the shard span and the operation span, and rethrows it', async () => {
    const provider = new TestTracerProvider();
    const tracing = new MeshTracer({ tracerProvider: provider });
    const boom = new ShardUnavailableError('shard us/s1 has no replica left');
    await expect(
      tracing.operation('upsert', { collection: 'docs', points: 100 }, (op) =>
        Promise.all([
          op.shard({ cluster: 'us', shard: 's0', replica: 'us/s0/r0' }, () => Promise.resolve(1)),
          op.shard({ cluster: 'us', shard: 's1' }, () => Promise.reject(boom)),
        ]),
      ),
    ).rejects.toBe(boom);
    const [root] = provider.named('vecmesh.upsert');
    expect(root!.attributes['vecmesh.points']).toBe(100);
    const [ok, failed] = provider.named('vecmesh.shard');
    expect(ok!.attributes['vecmesh.replica']).toBe('us/s0/r0');
    expect(ok!.status.code).toBe(0);
    expect(failed!.status).toEqual({ code: 2, message: boom.message });
    expect(failed!.exceptions).toEqual([boom]);
    expect(failed!.attributes['vecmesh.error.code']).toBe(boom.code);
    expect(root!.status.code).toBe(2);
    expect(provider.spans.every((s) => s.ended)).toBe(true);
  });

  it('follows a globally registered SDK: joins the app span and activates its own spans', async () => {
    const provider = new TestTracerProvider();
    context.setGlobalContextManager(new TestContextManager());
    trace.setGlobalTracerProvider(provider);
    const tracing = new MeshTracer();
    const seen: (string | undefined)[] = [];
    const appTracer = trace.getTracer('app');
    await appTracer.startActiveSpan('http.request', async (app) => {
      await tracing.operation('search', {}, (op) =>
        op.shard({ cluster: 'us', shard: 's0' }, async () => {
          await Promise.resolve();
          seen.push(trace.getActiveSpan()?.spanContext().spanId);
        }),
      );
      app.end();
    });
    const [app] = provider.named('http.request');
    const [search] = provider.named('vecmesh.search');
    const [shard] = provider.named('vecmesh.shard');
    expect(search!.parentSpanId).toBe(app!.spanContext().spanId);
    expect(shard!.parentSpanId).toBe(search!.spanContext().spanId);
    // Inside the shard call the shard span is active, so backend instrumentation nests under it.
    expect(seen).toEqual([shard!.spanContext().spanId]);
  });

  it('is a pass-through without an SDK: no spans, no active span, same result', async () => {
    const tracing = new MeshTracer();
    let active: unknown = 'unset';
    const result = await tracing.operation('search', { collection: 'docs' }, (op) =>
      op.shard({ cluster: 'us', shard: 's0' }, (span) => {
        span.setReplica('us/s0/r0');
        active = trace.getActiveSpan();
        return Promise.resolve(42);
      }),
    );
    expect(result).toBe(42);
    expect(active).toBeUndefined();
  });

  it('passes errors through unchanged without an SDK', async () => {
    const tracing = new MeshTracer();
    const boom = new Error('nope');
    await expect(tracing.operation('get', {}, () => Promise.reject(boom))).rejects.toBe(boom);
  });

  it('rejects a tracer provider without getTracer, naming what is missing', () => {
    expect(() => new MeshTracer({ tracerProvider: {} as never })).toThrow(InvalidOptionError);
    expect(() => new MeshTracer({ tracerProvider: { startSpan() {} } as never })).toThrow(
      /`tracerProvider` must be an OpenTelemetry TracerProvider: it has no method `getTracer`/,
    );
  });
});
