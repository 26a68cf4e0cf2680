import { describe, expect, it } from 'vitest';
import { memoryCacheStore } from '../../../src/cache/memory-store.js';
import { InvalidOptionError } from '../../../src/core/errors.js';

describe('memoryCacheStore', () => {
  it('stores values and generations', async () => {
    const store = memoryCacheStore();
    expect(await store.get('a')).toBeUndefined();
    await store.set('a', 'x', 60);
    expect(await store.get('a')).toBe('x');
    expect(await store.generation('g:docs')).toBe(0);
    expect(await store.bumpGeneration('g:docs')).toBe(1);
    await store.set('r:k:1', 'v', 60);
    expect(await store.getWithGeneration('g:docs', 'r:k:')).toEqual({ generation: 1, value: 'v' });
    expect(await store.getWithGeneration('g:other', 'r:k:')).toEqual({
      generation: 0,
      value: undefined,
    });
  });

  it('bumps to one more, or to atLeast when that is larger', async () => {
    const store = memoryCacheStore();
    expect(await store.bumpGeneration('g', 10)).toBe(10);
    expect(await store.bumpGeneration('g')).toBe(11);
    expect(await store.bumpGeneration('g', 5)).toBe(12);
    expect(await store.generation('g')).toBe(12);
  });

  it('honours the TTL', async () => {
    const store = memoryCacheStore();
    await store.set('a', 'x', 1);
    await store.set('b', 'y', 3600);
    expect(await store.get('a')).toBe('x');
    // Expiry is on the real clock (lru-cache): wait for it, bounded, rather than for a fixed time.
    for (let i = 0; i < 60 && (await store.get('a')) !== undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBe('y');
  });

  it('is bounded by entries and by bytes, and never evicts generations', async () => {
    const byCount = memoryCacheStore({ maxEntries: 2 });
    await byCount.bumpGeneration('g:docs');
    for (const k of ['a', 'b', 'c']) await byCount.set(k, 'v', 60);
    expect(byCount.size).toBe(2);
    expect(await byCount.get('a')).toBeUndefined();
    expect(await byCount.generation('g:docs')).toBe(1);

    const byBytes = memoryCacheStore({ maxBytes: 1000 });
    for (let i = 0; i < 10; i++) await byBytes.set(`k${i}`, 'x'.repeat(100), 60);
    expect(byBytes.size).toBeLessThanOrEqual(4);
    await byBytes.set('huge', 'x'.repeat(2000), 60);
    expect(await byBytes.get('huge')).toBeUndefined();
  });

  it('validates its options', () => {
    expect(() => memoryCacheStore({ maxEntries: 0 })).toThrow(InvalidOptionError);
    expect(() => memoryCacheStore({ maxBytes: 'big' as never })).toThrow(
      /`memoryCacheStore\.maxBytes`/,
    );
    expect(() => memoryCacheStore({ max: 1 } as never)).toThrow(/`memoryCacheStore\.max`/);
  });
});
