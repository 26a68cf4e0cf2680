import { Cluster, Redis } from 'ioredis';
import { Cluster as Cluster5, Redis as Redis5 } from 'ioredis-5';
import { describe, expect, it } from 'vitest';
import { redactRedisUrl, type RedisCacheClient } from '../../../src/cache/redis-store-options.js';
import { redisCacheStore } from '../../../src/cache/redis-store.js';
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

  it('accepts Redis and Cluster clients of ioredis 5 and 6 by shape, and uses them unconnected', async () => {
    // Typed without a cast: every one of them is a RedisCacheClient.
    const clients: RedisCacheClient[] = [
      new Redis({ lazyConnect: true }),
      new Redis5({ lazyConnect: true }),
      new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true }),
      new Cluster5([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true }),
    ];
    for (const client of clients) {
      const store = redisCacheStore({ client, prefix: 'p:' });
      // Not connected, and a caller's client is never connected by the store: it says so.
      await expect(store.get('k')).rejects.toThrow(/not connected \(status wait\)/);
      await store.close();
      expect(client.status).toBe('wait');
    }
    for (const client of clients) (client as Redis | Cluster).disconnect();
  });

  it('rejects a client that is not shaped like an ioredis client, naming what it lacks', () => {
    expect(() => redisCacheStore({ client: 'redis://x' as never })).toThrow(
      /`redisCacheStore\.client` must be an ioredis Redis or Cluster client \(ioredis 5\.4\+ or 6\), received string/,
    );
    // A node-redis-like client: no evalsha/eval with ioredis's signature, no on/off status.
    const lookAlike = { get() {}, set() {}, incr() {}, evalSha() {}, on() {} };
    expect(() => redisCacheStore({ client: lookAlike as never })).toThrow(
      /it has no method `evalsha`, method `eval`, method `off`, string property `status`$/,
    );
    const noStatus = { ...lookAlike, evalsha() {}, eval() {}, off() {} };
    expect(() => redisCacheStore({ client: noStatus as never })).toThrow(
      /it has no string property `status`$/,
    );
  });

  it("rejects a prefix with braces, which would change the keys' Redis Cluster hash tag", () => {
    expect(() => redisCacheStore({ prefix: 'app{1}:' })).toThrow(
      /`redisCacheStore\.prefix` must not contain `\{` or `\}`/,
    );
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
