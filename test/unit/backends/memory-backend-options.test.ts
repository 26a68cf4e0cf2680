/** Memory backend options and lifecycle details the conformance suite does not cover. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MEMORY_CAPABILITIES,
  MemoryBackend,
  memoryBackend,
} from '../../../src/backends/memory/index.js';
import { AbortedError, ClosedError, InvalidOptionError } from '../../../src/core/errors.js';
import { rejection } from '../../helpers/rejection.js';

describe('memoryBackend options', () => {
  it('names endpoints memory://<name>, counting unnamed ones', () => {
    expect(memoryBackend({ name: 'shard-0a' }).endpoint).toBe('memory://shard-0a');
    const a = memoryBackend();
    const b = memoryBackend();
    expect(a.endpoint).toMatch(/^memory:\/\/memory-\d+$/);
    expect(b.endpoint).not.toBe(a.endpoint);
    expect(a.kind).toBe('memory');
    expect(new MemoryBackend()).toBeInstanceOf(MemoryBackend);
  });

  it('merges capabilities over the defaults and freezes them', () => {
    expect(memoryBackend().capabilities).toEqual({
      maxPointsPerRequest: 10_000,
      maxBytesPerRequest: 64 * 1024 * 1024,
      maxTopK: 10_000,
      maxQueriesPerRequest: 1_000,
    });
    const caps = memoryBackend({ capabilities: { maxTopK: 5 } }).capabilities;
    expect(caps).toEqual({ ...DEFAULT_MEMORY_CAPABILITIES, maxTopK: 5 });
    expect(Object.isFrozen(caps)).toBe(true);
  });

  it.each<[string, object, string]>([
    ['an empty name', { name: '' }, '`name` must be a non-empty string, received string ""'],
    ['a numeric name', { name: 5 }, '`name` must be a non-empty string, received number 5'],
    [
      'a zero limit',
      { capabilities: { maxTopK: 0 } },
      '`capabilities.maxTopK` must be a positive integer, received number 0',
    ],
    [
      'a fractional limit',
      { capabilities: { maxPointsPerRequest: 1.5 } },
      '`capabilities.maxPointsPerRequest` must be a positive integer, received number 1.5',
    ],
    [
      'non-object capabilities',
      { capabilities: 'big' },
      '`capabilities` must be a plain object, received string "big"',
    ],
  ])('rejects %s', (_what, options, message) => {
    expect(() => memoryBackend(options as never)).toThrow(InvalidOptionError);
    expect(() => memoryBackend(options as never)).toThrow(message);
  });
});

describe('MemoryBackend lifecycle', () => {
  it('rejects calls before connect with ClosedError saying so', async () => {
    const b = memoryBackend({ name: 'early' });
    const err = await rejection(b.listCollections());
    expect(err).toBeInstanceOf(ClosedError);
    expect(err.message).toBe(
      'memory://early is not connected; call `connect()` before `listCollections`',
    );
  });

  it('is final after close: connect rejects with ClosedError and the data is gone', async () => {
    const b = memoryBackend({ name: 'final' });
    await b.connect();
    await b.createCollection('c', { dimension: 1, metric: 'l2' });
    await b.close();
    const err = await rejection(b.connect());
    expect(err).toBeInstanceOf(ClosedError);
    expect(err.message).toContain('memory://final is closed');
    expect(err.meta).toMatchObject({ backend: 'memory://final', operation: 'connect' });
  });

  it('closes through Symbol.asyncDispose', async () => {
    const b = memoryBackend();
    await b.connect();
    await b[Symbol.asyncDispose]();
    await expect(b.health()).rejects.toBeInstanceOf(ClosedError);
  });

  it('honours an aborted signal on connect', async () => {
    const b = memoryBackend();
    await expect(b.connect({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    await expect(b.listCollections()).rejects.toBeInstanceOf(ClosedError);
  });
});
