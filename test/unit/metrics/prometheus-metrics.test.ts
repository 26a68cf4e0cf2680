import * as promClient from 'prom-client';
import { Registry, register as globalRegistry } from 'prom-client';
import { Registry as Registry15_0 } from 'prom-client-15-0';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../src/core/errors.js';
import { VecmeshError } from '../../../src/core/errors.js';
import {
  METRIC_LABEL_NAMES,
  noopMetrics,
  prometheusMetrics,
  type ReplicaLabels,
} from '../../../src/metrics/index.js';
import { labelNames, parseScrape, sampleValue } from './scrape.js';

const A: ReplicaLabels = { id: 'us/s0/r0', cluster: 'us', shard: 's0', backendKind: 'memory' };
const B: ReplicaLabels = { id: 'us/s0/r1', cluster: 'us', shard: 's0', backendKind: 'reference' };

async function scrape(registry: { metrics(): Promise<string> }) {
  return parseScrape(await registry.metrics());
}

describe('prometheusMetrics', () => {
  it('counts operations and times them in the histogram', async () => {
    const registry = new Registry();
    const sink = prometheusMetrics({ registry });
    sink.operation('search', 'ok', 0.002);
    sink.operation('search', 'ok', 0.004);
    sink.operation('search', 'error', 0.3);
    sink.operation('upsert', 'ok', 0.02);
    const s = await scrape(registry);
    expect(sampleValue(s, 'vecmesh_requests_total', { operation: 'search', outcome: 'ok' })).toBe(
      2,
    );
    expect(
      sampleValue(s, 'vecmesh_requests_total', { operation: 'search', outcome: 'error' }),
    ).toBe(1);
    expect(sampleValue(s, 'vecmesh_requests_total', { operation: 'upsert', outcome: 'ok' })).toBe(
      1,
    );
    const h = 'vecmesh_request_duration_seconds';
    expect(sampleValue(s, `${h}_count`, { operation: 'search' })).toBe(3);
    expect(sampleValue(s, `${h}_sum`, { operation: 'search' })).toBeCloseTo(0.306, 9);
    expect(sampleValue(s, `${h}_bucket`, { operation: 'search', le: '0.0025' })).toBe(1);
    expect(sampleValue(s, `${h}_bucket`, { operation: 'search', le: '0.005' })).toBe(2);
    expect(sampleValue(s, `${h}_bucket`, { operation: 'search', le: '0.25' })).toBe(2);
    expect(sampleValue(s, `${h}_bucket`, { operation: 'search', le: '0.5' })).toBe(3);
    expect(sampleValue(s, `${h}_bucket`, { operation: 'search', le: '+Inf' })).toBe(3);
    expect(sampleValue(s, `${h}_count`, { operation: 'upsert' })).toBe(1);
  });

  it('counts and times replica calls per replica with topology labels', async () => {
    const registry = new Registry();
    const sink = prometheusMetrics({ registry });
    sink.replicaCall(A, 'ok', 0.001);
    sink.replicaCall(A, 'error', 0.01);
    sink.replicaCall(B, 'ok', 0.003);
    sink.replicaCall({ ...A }, 'ok', 0.001); // a fresh object for the same replica
    const s = await scrape(registry);
    const total = 'vecmesh_replica_requests_total';
    const base = { cluster: 'us', shard: 's0' };
    expect(
      sampleValue(s, total, { ...base, replica: A.id, backend: 'memory', outcome: 'ok' }),
    ).toBe(2);
    expect(
      sampleValue(s, total, { ...base, replica: A.id, backend: 'memory', outcome: 'error' }),
    ).toBe(1);
    expect(
      sampleValue(s, total, { ...base, replica: B.id, backend: 'reference', outcome: 'ok' }),
    ).toBe(1);
    const h = 'vecmesh_replica_request_duration_seconds';
    expect(sampleValue(s, `${h}_count`, { ...base, replica: A.id })).toBe(3);
    expect(sampleValue(s, `${h}_sum`, { ...base, replica: A.id })).toBeCloseTo(0.012, 9);
    expect(sampleValue(s, `${h}_count`, { ...base, replica: B.id })).toBe(1);
  });

  it('maps events onto counters and the breaker state gauge', async () => {
    const registry = new Registry();
    const sink = prometheusMetrics({ registry });
    const error = new VecmeshError('boom');
    sink.event('retry', { operation: 'search', replica: A.id, attempt: 2, delayMs: 0, error });
    sink.event('retry', { operation: 'upsert', replica: A.id, attempt: 2, delayMs: 5, error });
    sink.event('retry', { operation: 'search', replica: B.id, attempt: 3, delayMs: 0, error });
    sink.event('retry-budget-exhausted', { operation: 'search' });
    sink.event('hedge', { operation: 'search', shard: 'us/s0', replica: B.id });
    sink.event('failover', { operation: 'search', from: 'us', to: 'eu', reason: 'down' });
    sink.event('failover', { operation: 'createCollection', from: 'us', to: 'eu', reason: 'x' });
    sink.event('breaker', { replica: A.id, state: 'open' });
    sink.event('breaker', { replica: A.id, state: 'half-open' });
    sink.event('breaker', { replica: B.id, state: 'open' });
    sink.event('breaker', { replica: B.id, state: 'half-open' });
    sink.event('breaker', { replica: B.id, state: 'closed' });
    sink.event('health', { replica: A.id, healthy: false, detail: 'ECONNREFUSED' });
    sink.event('health', { replica: B.id, healthy: true });
    sink.event('hint', { replica: A.id, action: 'stored', count: 10 });
    sink.event('hint', { replica: A.id, action: 'stored', count: 5 });
    sink.event('hint', { replica: A.id, action: 'replayed', count: 15 });
    sink.event('repair', { cluster: 'us', shard: 's0', copied: 7 });
    sink.event('repair', { cluster: 'us', shard: 's0', copied: 3 });
    const s = await scrape(registry);
    expect(sampleValue(s, 'vecmesh_retries_total', { operation: 'search' })).toBe(2);
    expect(sampleValue(s, 'vecmesh_retries_total', { operation: 'upsert' })).toBe(1);
    expect(sampleValue(s, 'vecmesh_retry_budget_exhausted_total', { operation: 'search' })).toBe(1);
    expect(sampleValue(s, 'vecmesh_hedges_total', { operation: 'search' })).toBe(1);
    const f = 'vecmesh_failovers_total';
    expect(sampleValue(s, f, { operation: 'search', from: 'us', to: 'eu' })).toBe(1);
    expect(sampleValue(s, f, { operation: 'other', from: 'us', to: 'eu' })).toBe(1);
    expect(sampleValue(s, 'vecmesh_breaker_state', { replica: A.id })).toBe(1);
    expect(sampleValue(s, 'vecmesh_breaker_state', { replica: B.id })).toBe(0);
    const t = 'vecmesh_breaker_transitions_total';
    expect(sampleValue(s, t, { replica: A.id, state: 'open' })).toBe(1);
    expect(sampleValue(s, t, { replica: A.id, state: 'half-open' })).toBe(1);
    expect(sampleValue(s, t, { replica: A.id, state: 'closed' })).toBeUndefined();
    expect(sampleValue(s, t, { replica: B.id, state: 'closed' })).toBe(1);
    expect(sampleValue(s, 'vecmesh_replica_up', { replica: A.id })).toBe(0);
    expect(sampleValue(s, 'vecmesh_replica_up', { replica: B.id })).toBe(1);
    expect(sampleValue(s, 'vecmesh_hint_events_total', { action: 'stored' })).toBe(2);
    expect(sampleValue(s, 'vecmesh_hint_events_total', { action: 'replayed' })).toBe(1);
    expect(sampleValue(s, 'vecmesh_repaired_points_total', { cluster: 'us', shard: 's0' })).toBe(
      10,
    );
  });

  it('maps each breaker state to 0 closed, 1 half-open, 2 open', async () => {
    const registry = new Registry();
    const sink = prometheusMetrics({ registry });
    const seen: number[] = [];
    for (const state of ['open', 'half-open', 'closed'] as const) {
      sink.event('breaker', { replica: A.id, state });
      seen.push(sampleValue(await scrape(registry), 'vecmesh_breaker_state', { replica: A.id })!);
    }
    expect(seen).toEqual([2, 1, 0]);
  });

  it('counts cache results', async () => {
    const registry = new Registry();
    const sink = prometheusMetrics({ registry });
    for (const r of ['hit', 'hit', 'hit', 'miss', 'error', 'skip', 'skip'] as const) sink.cache(r);
    const s = await scrape(registry);
    const c = 'vecmesh_cache_requests_total';
    expect(sampleValue(s, c, { result: 'hit' })).toBe(3);
    expect(sampleValue(s, c, { result: 'miss' })).toBe(1);
    expect(sampleValue(s, c, { result: 'error' })).toBe(1);
    expect(sampleValue(s, c, { result: 'skip' })).toBe(2);
  });

  it('reads the size gauges from the provider at scrape time', async () => {
    const registry = new Registry();
    const sink = prometheusMetrics({ registry });
    let pending = 4;
    let calls = 0;
    sink.setGauges(() => {
      calls++;
      return { pendingHints: pending, replicas: 6, shards: 3, clusters: 1 };
    });
    expect(calls).toBe(0);
    let s = await scrape(registry);
    expect(calls).toBeGreaterThan(0);
    expect(sampleValue(s, 'vecmesh_hints_pending')).toBe(4);
    expect(sampleValue(s, 'vecmesh_topology_replicas')).toBe(6);
    expect(sampleValue(s, 'vecmesh_topology_shards')).toBe(3);
    expect(sampleValue(s, 'vecmesh_topology_clusters')).toBe(1);
    pending = 0;
    s = await scrape(registry);
    expect(sampleValue(s, 'vecmesh_hints_pending')).toBe(0);
  });

  it('keeps the last gauge values when the provider throws, and scrapes anyway', async () => {
    const registry = new Registry();
    const sink = prometheusMetrics({ registry });
    sink.setGauges(() => ({ pendingHints: 2, replicas: 2, shards: 1, clusters: 1 }));
    await registry.metrics();
    sink.setGauges(() => {
      throw new Error('provider broke');
    });
    const s = await scrape(registry);
    expect(sampleValue(s, 'vecmesh_hints_pending')).toBe(2);
  });

  it('uses a custom prefix and buckets', async () => {
    const registry = new Registry();
    const sink = prometheusMetrics({ registry, prefix: 'app_vm_', buckets: [0.01, 0.1] });
    sink.operation('get', 'ok', 0.05);
    const s = await scrape(registry);
    expect(sampleValue(s, 'app_vm_requests_total', { operation: 'get', outcome: 'ok' })).toBe(1);
    const buckets = s
      .filter((x) => x.name === 'app_vm_request_duration_seconds_bucket')
      .map((x) => x.labels['le']);
    expect(buckets).toEqual(['0.01', '0.1', '+Inf']);
    expect(s.some((x) => x.name.startsWith('vecmesh_'))).toBe(false);
  });

  it('registers on the caller registry only, never the global one', () => {
    const before = globalRegistry.getMetricsAsArray().length;
    prometheusMetrics({ registry: new Registry() });
    expect(globalRegistry.getMetricsAsArray().length).toBe(before);
  });

  it('refuses a second sink with the same prefix on one registry, naming the clash', () => {
    const registry = new Registry();
    prometheusMetrics({ registry });
    expect(() => prometheusMetrics({ registry })).toThrow(InvalidOptionError);
    expect(() => prometheusMetrics({ registry })).toThrow(/vecmesh_requests_total.*prefix/);
    // Another prefix on the same registry is fine.
    expect(() => prometheusMetrics({ registry, prefix: 'other_' })).not.toThrow();
  });

  it('rejects bad options with InvalidOptionError naming the option', () => {
    const bad = (options: unknown) => () =>
      prometheusMetrics(options as Parameters<typeof prometheusMetrics>[0]);
    expect(bad({})).toThrow(/`registry` must be a prom-client Registry/);
    expect(bad(undefined)).toThrow(InvalidOptionError);
    expect(bad({ registry: new Registry(), prefix: '9bad' })).toThrow(/`prefix`/);
    expect(bad({ registry: new Registry(), buckets: [0.1, 0.01] })).toThrow(/`buckets`/);
    expect(bad({ registry: new Registry(), buckets: [] })).toThrow(/`buckets`/);
  });

  it('registers its metrics on a Registry of another prom-client copy (15.0.0)', async () => {
    const registry = new Registry15_0();
    const sink = prometheusMetrics({ registry });
    sink.operation('search', 'ok', 0.002);
    sink.replicaCall(A, 'error', 0.01);
    sink.cache('hit');
    sink.event('failover', {
      operation: 'search',
      from: 'us',
      to: 'eu',
      reason: 'down',
    });
    sink.setGauges(() => ({ pendingHints: 4, replicas: 6, shards: 3, clusters: 2 }));
    const s = await scrape(registry);
    expect(sampleValue(s, 'vecmesh_requests_total', { operation: 'search', outcome: 'ok' })).toBe(
      1,
    );
    expect(sampleValue(s, 'vecmesh_request_duration_seconds_count', { operation: 'search' })).toBe(
      1,
    );
    expect(
      sampleValue(s, 'vecmesh_replica_requests_total', {
        cluster: 'us',
        shard: 's0',
        replica: A.id,
        backend: 'memory',
        outcome: 'error',
      }),
    ).toBe(1);
    expect(sampleValue(s, 'vecmesh_cache_requests_total', { result: 'hit' })).toBe(1);
    expect(
      sampleValue(s, 'vecmesh_failovers_total', { operation: 'search', from: 'us', to: 'eu' }),
    ).toBe(1);
    expect(sampleValue(s, 'vecmesh_hints_pending', {})).toBe(4);
    // The other ways a registry reads its metrics work on them too.
    const json = await registry.getMetricsAsJSON();
    expect(json.map((m) => m.name)).toContain('vecmesh_replica_request_duration_seconds');
    expect(await scrape(Registry15_0.merge([registry]))).toEqual(s);
    registry.resetMetrics();
    const after = await scrape(registry);
    expect(
      sampleValue(after, 'vecmesh_requests_total', { operation: 'search', outcome: 'ok' }),
    ).toBeUndefined();
    // prom-client 15.0's own global registry was left alone, like 15.1's.
    expect(await new Registry15_0().metrics()).toBe('\n');
  });

  it('rejects a registry look-alike, naming the methods it lacks', () => {
    expect(() => prometheusMetrics({ registry: { registerMetric() {} } as never })).toThrow(
      /`registry` must be a prom-client Registry \(new Registry\(\) of prom-client 15\): it has no method `getSingleMetric`$/,
    );
    // The module instead of a registry.
    expect(() => prometheusMetrics({ registry: promClient as never })).toThrow(
      /it has no method `registerMetric`, method `getSingleMetric`$/,
    );
    expect(() => prometheusMetrics({ registry: 'registry' as never })).toThrow(
      /`registry` must be a prom-client Registry .*, received string "registry"/,
    );
  });

  it('keeps label names to the fixed set and label values bounded', async () => {
    const registry = new Registry();
    const sink = prometheusMetrics({ registry });
    const error = new VecmeshError('boom');
    for (let i = 0; i < 1000; i++) {
      sink.operation('search', i % 3 === 0 ? 'error' : 'ok', i / 1e5);
      sink.replicaCall(i % 2 === 0 ? A : B, 'ok', i / 1e5);
      sink.event('retry', { operation: `op-${i}`, replica: A.id, attempt: 2, delayMs: 0, error });
      sink.cache('hit');
    }
    const s = await scrape(registry);
    expect(
      [...labelNames(s, 'vecmesh_')].every((n) => [...METRIC_LABEL_NAMES, 'le'].includes(n)),
    ).toBe(true);
    // Unknown operation names collapse into `other`: one series, not 1000.
    expect(s.filter((x) => x.name === 'vecmesh_retries_total')).toHaveLength(1);
    expect(sampleValue(s, 'vecmesh_retries_total', { operation: 'other' })).toBe(1000);
    expect(s.filter((x) => x.name === 'vecmesh_replica_requests_total')).toHaveLength(2);
  });
});

describe('noopMetrics', () => {
  it('accepts every call and records nothing', async () => {
    const registry = new Registry();
    noopMetrics.operation('search', 'ok', 1);
    noopMetrics.replicaCall(A, 'error', 1);
    noopMetrics.cache('hit');
    noopMetrics.event('repair', { cluster: 'us', shard: 's0', copied: 1 });
    noopMetrics.setGauges(() => {
      throw new Error('never read');
    });
    expect(await registry.metrics()).toBe('\n');
    expect(Object.isFrozen(noopMetrics)).toBe(true);
  });
});
