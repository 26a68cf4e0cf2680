import * as promClient from 'prom-client';
import { describe, expect, it } from 'vitest';
import { boundSeriesClasses } from '../../../src/metrics/bound-series.js';
import { parseScrape, sampleValue } from './scrape.js';

const { Registry } = promClient;
const { BoundCounter, BoundHistogram } = boundSeriesClasses(promClient);

describe('BoundCounter / BoundHistogram', () => {
  it('report bound series beside ordinary ones, in text and JSON', async () => {
    const registry = new Registry();
    const c = new BoundCounter({
      name: 'c_total',
      help: 'c',
      labelNames: ['k'],
      registers: [registry],
    });
    const h = new BoundHistogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['k'],
      buckets: [0.01, 0.1],
      registers: [registry],
    });
    const a = c.bind({ k: 'a' });
    a.inc();
    a.inc();
    c.inc({ k: 'b' }, 5);
    const ha = h.bind({ k: 'a' });
    for (const v of [0.01, 0.05, 0.2]) ha.observe(v);
    h.observe({ k: 'b' }, 0.001);
    const s = parseScrape(await registry.metrics());
    expect(sampleValue(s, 'c_total', { k: 'a' })).toBe(2);
    expect(sampleValue(s, 'c_total', { k: 'b' })).toBe(5);
    expect(sampleValue(s, 'h_seconds_bucket', { k: 'a', le: '0.01' })).toBe(1); // le: equal counts
    expect(sampleValue(s, 'h_seconds_bucket', { k: 'a', le: '0.1' })).toBe(2);
    expect(sampleValue(s, 'h_seconds_bucket', { k: 'a', le: '+Inf' })).toBe(3);
    expect(sampleValue(s, 'h_seconds_sum', { k: 'a' })).toBeCloseTo(0.26, 9);
    expect(sampleValue(s, 'h_seconds_count', { k: 'a' })).toBe(3);
    expect(sampleValue(s, 'h_seconds_count', { k: 'b' })).toBe(1);
    const json = await registry.getMetricsAsJSON();
    const hJson = json.find((m) => m.name === 'h_seconds')!;
    expect(hJson.values).toContainEqual({
      labels: { k: 'a', le: '+Inf' },
      value: 3,
      metricName: 'h_seconds_bucket',
    });
  });

  it('leave series without observations out, and reset with the registry', async () => {
    const registry = new Registry();
    const c = new BoundCounter({
      name: 'c_total',
      help: 'c',
      labelNames: ['k'],
      registers: [registry],
    });
    const h = new BoundHistogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['k'],
      buckets: [1],
      registers: [registry],
    });
    const a = c.bind({ k: 'a' });
    const ha = h.bind({ k: 'a' });
    expect(parseScrape(await registry.metrics())).toEqual([]);
    a.inc();
    ha.observe(0.5);
    registry.resetMetrics();
    expect(parseScrape(await registry.metrics())).toEqual([]);
    a.inc(); // the series object stays valid after a reset
    ha.observe(2);
    const s = parseScrape(await registry.metrics());
    expect(sampleValue(s, 'c_total', { k: 'a' })).toBe(1);
    expect(sampleValue(s, 'h_seconds_bucket', { k: 'a', le: '1' })).toBe(0);
    expect(sampleValue(s, 'h_seconds_bucket', { k: 'a', le: '+Inf' })).toBe(1);
  });

  it('are defined once per prom-client module', () => {
    expect(boundSeriesClasses(promClient).BoundCounter).toBe(BoundCounter);
    expect(new BoundCounter({ name: 'x_total', help: 'x', registers: [] })).toBeInstanceOf(
      promClient.Counter,
    );
  });
});
