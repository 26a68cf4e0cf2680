/**
 * The environment the examples read to run against docker/compose.yaml's servers
 * (examples/lib/env-mesh.ts). Nothing here connects: building adapters and stores does no I/O.
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../src/core/errors.js';
import {
  cacheFromEnv,
  listenFromEnv,
  nodeClusterFromEnv,
  nodeShardsFromEnv,
} from '../../../examples/lib/env-mesh.js';

describe('nodeShardsFromEnv', () => {
  it('reads commas as replicas of one shard and semicolons as shards', () => {
    expect(nodeShardsFromEnv({ VECMESH_NODES: 'http://a:1, http://b:2' })).toEqual([
      ['http://a:1', 'http://b:2'],
    ]);
    expect(nodeShardsFromEnv({ VECMESH_NODES: 'http://a:1;http://b:2,http://c:3' })).toEqual([
      ['http://a:1'],
      ['http://b:2', 'http://c:3'],
    ]);
  });

  it('is undefined when unset or blank, so that the example keeps its in-process default', () => {
    expect(nodeShardsFromEnv({})).toBeUndefined();
    expect(nodeShardsFromEnv({ VECMESH_NODES: '  ' })).toBeUndefined();
    expect(nodeClusterFromEnv({})).toBeUndefined();
  });

  it('rejects an empty entry, naming the variable', () => {
    for (const value of ['http://a:1,,http://b:2', 'http://a:1;', ';http://a:1']) {
      expect(() => nodeShardsFromEnv({ VECMESH_NODES: value })).toThrow(InvalidOptionError);
      expect(() => nodeShardsFromEnv({ VECMESH_NODES: value })).toThrow(/VECMESH_NODES/);
    }
  });
});

describe('nodeClusterFromEnv', () => {
  it('builds one reference adapter per URL, in the order given', async () => {
    const cluster = nodeClusterFromEnv({
      VECMESH_NODES: 'http://node-a:7001;http://node-b:7002/',
      VECMESH_API_KEY: 'k',
    });
    expect(cluster?.shards.map((s) => s.name)).toEqual(['s0', 's1']);
    const backends = cluster!.shards.flatMap((s) => s.replicas.map((r) => r.backend));
    expect(backends.map((b) => [b.kind, b.endpoint])).toEqual([
      ['reference', 'http://node-a:7001'],
      ['reference', 'http://node-b:7002'],
    ]);
    await Promise.all(backends.map((b) => b.close()));
  });

  it('rejects a URL the adapter refuses', () => {
    expect(() => nodeClusterFromEnv({ VECMESH_NODES: 'ftp://node-a:7001' })).toThrow(
      InvalidOptionError,
    );
  });
});

describe('cacheFromEnv', () => {
  it('uses Redis when REDIS_URL is set, else the memory cache', async () => {
    expect(cacheFromEnv({})).toEqual({});
    const { store } = cacheFromEnv({ REDIS_URL: 'redis://127.0.0.1:1' });
    expect(store).toBeDefined();
    await store!.close();
  });
});

describe('listenFromEnv', () => {
  it('defaults to loopback and the fallback port', () => {
    expect(listenFromEnv({}, 9464)).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(listenFromEnv({ HOST: '0.0.0.0', PORT: '0' }, 9464)).toEqual({
      host: '0.0.0.0',
      port: 0,
    });
  });

  it('rejects a PORT that is not an integer in [0, 65535]', () => {
    for (const PORT of ['abc', '-1', '65536', '1.5', '0x10']) {
      expect(() => listenFromEnv({ PORT })).toThrow(/PORT must be an integer/);
    }
  });
});
