import { describe, expect, it } from 'vitest';
import { DEFAULT_DECAY_MS, PeakEwma } from '../../../src/balancing/peak-ewma.js';
import { InvalidArgumentError, InvalidOptionError } from '../../../src/core/errors.js';

const TAU = DEFAULT_DECAY_MS;

describe('PeakEwma', () => {
  it('is 0 before any sample, whatever the time', () => {
    const ewma = new PeakEwma();
    expect(ewma.decayMs).toBe(10_000);
    expect(ewma.value(0)).toBe(0);
    expect(ewma.value(1e9)).toBe(0);
  });

  it('takes the first sample as the estimate', () => {
    const ewma = new PeakEwma();
    ewma.observe(12, 5_000);
    expect(ewma.value(5_000)).toBe(12);
  });

  it('jumps to a peak at once', () => {
    const ewma = new PeakEwma();
    ewma.observe(5, 0);
    ewma.observe(80, 1);
    expect(ewma.value(1)).toBe(80);
    ewma.observe(200, 1);
    expect(ewma.value(1)).toBe(200);
  });

  it('decays toward a lower sample with weight exp(-elapsed / tau)', () => {
    for (const elapsed of [1, 100, TAU / 2, TAU, 3 * TAU]) {
      const ewma = new PeakEwma();
      ewma.observe(100, 1_000);
      ewma.observe(20, 1_000 + elapsed);
      const w = Math.exp(-elapsed / TAU);
      expect(ewma.value(1_000 + elapsed)).toBeCloseTo(100 * w + 20 * (1 - w), 10);
    }
    // At tau: 100 e^-1 + 20 (1 - e^-1) = 49.43...
    const ewma = new PeakEwma();
    ewma.observe(100, 0);
    ewma.observe(20, TAU);
    expect(ewma.value(TAU)).toBeCloseTo(49.4304, 4);
  });

  it('ignores a lower sample that arrives at the same instant', () => {
    const ewma = new PeakEwma();
    ewma.observe(100, 0);
    ewma.observe(1, 0);
    expect(ewma.value(0)).toBe(100);
  });

  it('converges to a steady lower latency over a few tau', () => {
    const ewma = new PeakEwma();
    ewma.observe(100, 0);
    for (let t = 100; t <= 6 * TAU; t += 100) ewma.observe(20, t);
    // Old part left: 80 * e^-6, about 0.2 ms.
    expect(ewma.value(6 * TAU)).toBeCloseTo(20 + 80 * Math.exp(-6), 6);
  });

  it('decays toward 0 between samples, halving every tau ln 2', () => {
    const ewma = new PeakEwma();
    ewma.observe(64, 0);
    for (const t of [0, 1_000, TAU, 5 * TAU]) {
      expect(ewma.value(t)).toBeCloseTo(64 * Math.exp(-t / TAU), 10);
    }
    expect(ewma.value(TAU * Math.LN2)).toBeCloseTo(32, 10);
  });

  it('does not change when read', () => {
    const read = new PeakEwma();
    const unread = new PeakEwma();
    read.observe(100, 0);
    unread.observe(100, 0);
    for (let t = 0; t < TAU; t += 250) read.value(t);
    read.observe(30, TAU);
    unread.observe(30, TAU);
    expect(read.value(TAU)).toBe(unread.value(TAU));
  });

  it('follows its decayMs option', () => {
    const ewma = new PeakEwma({ decayMs: 1_000 });
    ewma.observe(50, 0);
    ewma.observe(10, 1_000);
    expect(ewma.value(1_000)).toBeCloseTo(50 * Math.exp(-1) + 10 * (1 - Math.exp(-1)), 10);
    expect(ewma.value(2_000)).toBeCloseTo(ewma.value(1_000) * Math.exp(-1), 10);
  });

  it('clamps elapsed time at 0 when time goes backwards', () => {
    const ewma = new PeakEwma();
    ewma.observe(40, 10_000);
    expect(ewma.value(5_000)).toBe(40);
    ewma.observe(10, 5_000);
    expect(ewma.value(10_000)).toBe(40);
    expect(ewma.value(20_000)).toBeCloseTo(40 * Math.exp(-1), 10);
  });

  it('counts a negative latency as 0', () => {
    const ewma = new PeakEwma();
    ewma.observe(-5, 0);
    expect(ewma.value(0)).toBe(0);
    ewma.observe(10, 0);
    ewma.observe(-5, TAU);
    expect(ewma.value(TAU)).toBeCloseTo(10 * Math.exp(-1), 10);
  });

  it('rejects samples that are not finite numbers', () => {
    const ewma = new PeakEwma();
    expect(() => {
      ewma.observe(Number.NaN, 0);
    }).toThrow(InvalidArgumentError);
    expect(() => {
      ewma.observe(5, Infinity);
    }).toThrow(InvalidArgumentError);
    expect(() => {
      ewma.observe(Number.NaN, 0);
    }).toThrow(
      'PeakEwma.observe needs finite numbers, received latencyMs number NaN and nowMs number 0',
    );
    expect(ewma.value(0)).toBe(0);
  });

  it.each([0, -1, Number.NaN, Infinity, '5', null])('rejects decayMs %s', (decayMs) => {
    expect(() => new PeakEwma({ decayMs: decayMs as number })).toThrow(InvalidOptionError);
    expect(() => new PeakEwma({ decayMs: decayMs as number })).toThrow(
      /^`decayMs` must be a finite number > 0, received /,
    );
  });
});
