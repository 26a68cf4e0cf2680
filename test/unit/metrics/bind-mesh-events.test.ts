import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { MeshEventEmitter, type MeshEventName } from '../../../src/core/events.js';
import {
  MESH_EVENT_NAMES,
  bindMeshEvents,
  noopMetrics,
  prometheusMetrics,
  type MeshEventSource,
  type MetricsSink,
} from '../../../src/metrics/index.js';
import { parseScrape, sampleValue } from './scrape.js';

function recordingSink(): { sink: MetricsSink; seen: [MeshEventName, unknown][] } {
  const seen: [MeshEventName, unknown][] = [];
  return { seen, sink: { ...noopMetrics, event: (name, event) => seen.push([name, event]) } };
}

function emitOneOfEach(events: MeshEventEmitter): void {
  events.emit('retry-budget-exhausted', { operation: 'search' });
  events.emit('hedge', { operation: 'search', shard: 'c/s0', replica: 'c/s0/r1' });
  events.emit('breaker', { replica: 'c/s0/r0', state: 'open' });
  events.emit('health', { replica: 'c/s0/r0', healthy: false });
  events.emit('failover', { operation: 'get', from: 'c', to: 'd', reason: 'down' });
  events.emit('hint', { replica: 'c/s0/r0', action: 'stored', count: 1 });
  events.emit('repair', { cluster: 'c', shard: 's0', copied: 2 });
}

describe('bindMeshEvents', () => {
  it('lists every mesh event', () => {
    expect([...MESH_EVENT_NAMES].sort()).toEqual(
      [
        'breaker',
        'failover',
        'health',
        'hedge',
        'hint',
        'repair',
        'retry',
        'retry-budget-exhausted',
        'topologyChange',
        'fillProgress',
        'reshardProgress',
      ].sort(),
    );
  });

  it('forwards every event with its payload, and unbinding stops it', () => {
    const events = new MeshEventEmitter();
    const { sink, seen } = recordingSink();
    const unbind = bindMeshEvents(events, sink);
    for (const name of MESH_EVENT_NAMES) expect(events.has(name)).toBe(true);
    emitOneOfEach(events);
    expect(seen.map(([n]) => n)).toEqual([
      'retry-budget-exhausted',
      'hedge',
      'breaker',
      'health',
      'failover',
      'hint',
      'repair',
    ]);
    expect(seen[2]![1]).toEqual({ replica: 'c/s0/r0', state: 'open' });
    unbind();
    for (const name of MESH_EVENT_NAMES) expect(events.has(name)).toBe(false);
    emitOneOfEach(events);
    expect(seen).toHaveLength(7);
    unbind(); // twice is harmless
  });

  it('leaves other listeners alone when it unbinds', () => {
    const events = new MeshEventEmitter();
    let other = 0;
    events.on('hint', () => other++);
    const unbind = bindMeshEvents(events, recordingSink().sink);
    unbind();
    events.emit('hint', { replica: 'r', action: 'stored', count: 1 });
    expect(other).toBe(1);
  });

  it('feeds the Prometheus sink end to end', async () => {
    const registry = new Registry();
    const events = new MeshEventEmitter();
    const unbind = bindMeshEvents(events, prometheusMetrics({ registry }));
    emitOneOfEach(events);
    emitOneOfEach(events);
    unbind();
    emitOneOfEach(events);
    const s = parseScrape(await registry.metrics());
    expect(sampleValue(s, 'vecmesh_hedges_total', { operation: 'search' })).toBe(2);
    expect(
      sampleValue(s, 'vecmesh_failovers_total', { operation: 'get', from: 'c', to: 'd' }),
    ).toBe(2);
    expect(sampleValue(s, 'vecmesh_breaker_state', { replica: 'c/s0/r0' })).toBe(2);
    expect(sampleValue(s, 'vecmesh_repaired_points_total', { cluster: 'c', shard: 's0' })).toBe(4);
  });

  it('rejects what is not an emitter or a sink', () => {
    const events = new MeshEventEmitter();
    expect(() => bindMeshEvents({} as unknown as MeshEventSource, noopMetrics)).toThrow(
      InvalidArgumentError,
    );
    expect(() => bindMeshEvents(events, null as unknown as MetricsSink)).toThrow(/`sink`/);
  });
});
