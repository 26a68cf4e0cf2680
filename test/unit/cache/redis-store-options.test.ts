import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redactRedisUrl, redisCacheStore } from '../../../src/cache/redis-store.js';
import { InvalidOptionError } from '../../../src/core/errors.js';

// No network: these stores are never connected (a bad URL never creates a client).
describe('redisCacheStore options', () => {
  it('rejects options of the wrong type, naming them', () => {
    expect(() => redisCacheStore({ url: 42 as never })).toThrow(/`redisCacheStore\.url`/);
    expect(() => redisCacheStore({ commandTimeoutMs: 0 })).toThrow(
      /`redisCacheStore\.commandTimeoutMs`/,
    );
    expect(() => redisCacheStore({ prefix: null as never })).toThrow(InvalidOptionError);
    expect(() => redisCacheStore({ client: {} as never })).toThrow(/`redisCacheStore\.client`/);
    expect(() => redisCacheStore({ host: 'x' } as never)).toThrow(/`redisCacheStore\.host`/);
    const client = new Redis({ lazyConnect: true });
    expect(() => redisCacheStore({ client, url: 'redis://x' })).toThrow(/not both/);
    client.disconnect();
  });

  it('reports a URL that is not a Redis URL from every call instead of throwing', async () => {
    for (const url of ['not a url', 'http://127.0.0.1:6379', 'redis://']) {
      const store = redisCacheStore({ url });
      await expect(store.get('k')).rejects.toThrow(InvalidOptionError);
      await expect(store.getWithGeneration('g', 'p')).rejects.toThrow(/`redisCacheStore\.url`/);
      await expect(store.bumpGeneration('g')).rejects.toThrow(InvalidOptionError);
      await store.close();
    }
  });

  it('redacts passwords in messages', () => {
    expect(redactRedisUrl('redis://user:secret@host:6379/0')).toBe('redis://user:***@host:6379/0');
    expect(redactRedisUrl('redis://secret@host')).toBe('redis://***@host');
    expect(redactRedisUrl('redis://host:1')).toBe('redis://host:1');
  });
});
