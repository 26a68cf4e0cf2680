/**
 * Online topology changes on memory backends: the copy gate, updateTopology (refusals, fill,
 * drain, epoch atomicity) and reshard (refusals, dual writes, union reads, pause and resume,
 * checkpoint, abort).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryBackend } from '../../../src/backends/memory/index.js';
import type { CallOptions } from '../../../src/backends/backend.js';
import {
  AbortedError,
  InvalidOptionError,
  InvalidTopologyError,
  TopologyChangeError,
  UnavailableError,
  createMesh,
  type ClusterOptions,
  type Mesh,
  type Point,
  type PointId,
  type ReshardProgressEvent,
  type VectorBackend,
} from '../../../src/index.js';
import { CopyGate } from '../../../src/reshard/copy-gate.js';
import { RecordingBackend, type Method } from '../../helpers/recording-backend.js';

let counter = 0;

/** A recording memory backend whose calls of one method can be held until released. */
class HoldBackend extends RecordingBackend {
  private hold: { method: Method; entered: () => void; until: Promise<void> } | undefined;

  /** The replica name tests give it (a replica's identity is its name and its backend). */
  readonly label: string;

  constructor(label?: string) {
    const n = ++counter;
    super(memoryBackend({ name: `topology-change-${n}` }));
    this.label = label ?? `b${n}`;
  }

  /** Holds the next call of `method`; resolves `entered` when it arrives. */
  holdNext(method: Method): { entered: Promise<void>; release: () => void } {
    let release!: () => void;
    let entered!: () => void;
    const until = new Promise<void>((r) => (release = r));
    const arrived = new Promise<void>((r) => (entered = r));
    this.hold = { method, entered, until };
    return { entered: arrived, release };
  }

  private async held(method: Method): Promise<void> {
    const hold = this.hold;
    if (hold?.method !== method) return;
    this.hold = undefined;
    hold.entered();
    await hold.until;
  }

  override async upsert(c: string, points: readonly Point[], o?: CallOptions): Promise<void> {
    await this.held('upsert');
    return super.upsert(c, points, o);
  }

  override async search(...args: Parameters<VectorBackend['search']>) {
    await this.held('search');
    return super.search(...args);
  }

  override async get(...args: Parameters<VectorBackend['get']>) {
    await this.held('get');
    return super.get(...args);
  }
}

/** Flushes pending promise callbacks (the code under test here does no I/O and no timers). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const DIMENSION = 4;
const vector = (i: number, v = 0) => [Math.sin(i) + 2, Math.cos(i) + 2, v + 1, 1];

function cluster(shards: HoldBackend[][], names?: string[]): ClusterOptions {
  return {
    name: 'c',
    shards: shards.map((replicas, s) => ({
      name: names?.[s] ?? `s${s}`,
      replicas: replicas.map((backend) => ({ backend, name: backend.label })),
    })),
  };
}

async function allIds(backend: VectorBackend, collection = 'docs'): Promise<PointId[]> {
  const out: PointId[] = [];
  let cursor: string | undefined;
  do {
    const page = await backend.scanIds(
      collection,
      cursor === undefined ? { limit: 1000 } : { cursor, limit: 1000 },
    );
    out.push(...page.ids);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

describe('CopyGate', () => {
  it('makes a copy batch wait for live writes in flight, and live writes wait for the batch', async () => {
    const gate = new CopyGate();
    const order: string[] = [];
    const leave = await gate.enterShared(['a', 'b']);
    const copy = gate.exclusive(['b', 'c'], () => {
      order.push('copy');
      return Promise.resolve();
    });
    await settle();
    expect(order).toEqual([]); // the live write on 'b' is still inside
    const later = gate.enterShared(['c']).then((l) => {
      order.push('live');
      l();
    });
    await settle();
    expect(order).toEqual([]); // marked by the waiting copy: the new live write waits too
    leave();
    await Promise.all([copy, later]);
    expect(order).toEqual(['copy', 'live']);
    expect(gate.size).toBe(0);
  });

  it('lets live writes on other ids through while a batch holds its ids', async () => {
    const gate = new CopyGate();
    let release!: () => void;
    const copy = gate.exclusive(['a'], () => new Promise<void>((r) => (release = r)));
    await settle();
    const leave = await gate.enterShared(['z']);
    leave();
    release();
    await copy;
    expect(gate.size).toBe(0);
  });
});

describe('copy sources', () => {
  it('fills from a replica holding every acknowledged write, never from one with hints pending', async () => {
    const [a, d, b, c] = [
      new HoldBackend('a'),
      new HoldBackend('d'),
      new HoldBackend('b'),
      new HoldBackend('c'),
    ];
    const mesh = createMesh({
      clusters: [cluster([[a, d], [b]])],
      replication: { writeConsistency: 'one' },
      retry: { retries: 0 },
    });
    try {
      await mesh.connect();
      const docs = await mesh.createCollection('docs', { dimension: DIMENSION, metric: 'l2' });
      await docs.upsert(Array.from({ length: 50 }, (_, i) => ({ id: i, vector: vector(i) })));
      const id = (await allIds(a))[0] as PointId;
      // `a` misses the newer value: acknowledged by `d`, kept for `a` as a hint that cannot be
      // replayed while `a` refuses writes. `a` stays available (one failure opens no breaker).
      a.fault = (method) =>
        method === 'upsert' ? new UnavailableError('a refuses writes') : undefined;
      await docs.upsert([{ id, vector: vector(0, 9) }]);
      expect(mesh.pendingHints()).toBe(1);
      const report = await mesh.updateTopology({ clusters: [cluster([[a, d, c], [b]])] });
      expect(report.added).toEqual(['c/s0/c']);
      const [onC] = await c.get('docs', [id], { includeVector: true });
      expect(onC?.vector?.[2]).toBeCloseTo(10); // the acknowledged value, not `a`'s stale one
      expect(a.callsOf('get')).toEqual([]); // nothing was read from the replica behind
    } finally {
      await mesh.close();
    }
  });

  it('copies moving points from a replica holding every acknowledged write, never from one with hints pending', async () => {
    const [a, d, b, e] = ['a', 'd', 'b', 'e'].map((n) => new HoldBackend(n)) as [
      HoldBackend,
      HoldBackend,
      HoldBackend,
      HoldBackend,
    ];
    const mesh = createMesh({
      clusters: [cluster([[a, d], [b]])],
      sharding: { strategy: 'consistent-hash' },
      replication: { writeConsistency: 'one' },
      retry: { retries: 0 },
    });
    const ids = Array.from({ length: 300 }, (_, i) => i);
    try {
      await mesh.connect();
      const docs = await mesh.createCollection('docs', { dimension: DIMENSION, metric: 'l2' });
      await docs.upsert(ids.map((i) => ({ id: i, vector: vector(i), payload: { v: 0 } })));
      // Pause after the first page: shard s0 is being scanned on `a`.
      const controller = new AbortController();
      const next = { clusters: [cluster([[a, d], [b], [e]])] };
      await expect(
        mesh.reshard(next, {
          batchSize: 20,
          signal: controller.signal,
          onProgress: () => {
            controller.abort();
          },
        }),
      ).rejects.toBeInstanceOf(AbortedError);
      // New values everywhere; `a` misses them (hints it cannot take while it refuses writes).
      a.fault = (method) =>
        method === 'upsert' ? new UnavailableError('a refuses writes') : undefined;
      await docs.upsert(ids.map((i) => ({ id: i, vector: vector(i), payload: { v: 1 } })));
      expect(mesh.pendingHints()).toBeGreaterThan(0);
      const report = await mesh.reshard(next, { batchSize: 20 });
      expect(report.moved).toBeGreaterThan(0);
      // Every copy read from a caught-up replica: the replicas that took the writes hold each
      // point at its newest value. (`a` still answers reads while it refuses writes, so a read
      // through the mesh at consistency `one` may meet it; what it holds is checked below.)
      const values = [];
      for (const backend of [d, b, e])
        values.push(...(await backend.get('docs', await allIds(backend))));
      expect(new Set(values.map((p) => p.id)).size).toBe(ids.length);
      expect(values.filter((p) => p.payload.v !== 1).map((p) => p.id)).toEqual([]);
      // `a` comes back: its hints (the new values, then the cleanup's deletes) replay in order,
      // and it ends holding exactly what shard s0 owns, each at its newest value.
      a.fault = () => undefined;
      await mesh.checkHealth();
      await mesh.flushHints();
      expect(mesh.pendingHints()).toBe(0);
      const map = mesh.topology.clusters[0]!.shardMap;
      const onA = await allIds(a);
      expect(onA.filter((id) => map.shardNames[map.shardFor(id)] !== 's0')).toEqual([]);
      expect(onA.map(String).sort()).toEqual((await allIds(d)).map(String).sort());
      const fromA = await a.get('docs', onA);
      expect(fromA.every((p) => p.payload.v === 1)).toBe(true);
    } finally {
      await mesh.close();
    }
  });
});

describe('updateTopology', () => {
  let a: HoldBackend;
  let b: HoldBackend;
  let c: HoldBackend;
  let mesh: Mesh;

  beforeEach(async () => {
    [a, b, c] = [new HoldBackend('a'), new HoldBackend('b'), new HoldBackend('c')];
    mesh = createMesh({ clusters: [cluster([[a], [b]])] });
    await mesh.connect();
    const docs = await mesh.createCollection('docs', { dimension: DIMENSION, metric: 'l2' });
    await docs.upsert(Array.from({ length: 50 }, (_, i) => ({ id: i, vector: vector(i) })));
  });

  afterEach(async () => {
    await mesh.close();
  });

  it('refuses, changing nothing, a shard left without its replicas, clusters and shard changes', async () => {
    const epoch = mesh.topology.epoch;
    await expect(mesh.updateTopology({ clusters: [cluster([[c], [b]])] })).rejects.toThrow(
      /would lose shard `c\/s0`'s data/,
    );
    await expect(
      mesh.updateTopology({ clusters: [cluster([[a], [b]]), { ...cluster([[c]]), name: 'd' }] }),
    ).rejects.toThrow(/clusters is not supported yet/);
    await expect(mesh.updateTopology({ clusters: [cluster([[a], [b], [c]])] })).rejects.toThrow(
      /use `mesh.reshard\(next\)`/,
    );
    await expect(
      mesh.updateTopology({ clusters: [cluster([[a], [b]])], sharding: { strategy: 'jump' } }),
    ).rejects.toBeInstanceOf(TopologyChangeError);
    expect(mesh.topology.epoch).toBe(epoch);
    expect(c.calls).toEqual([]);
  });

  it('refuses a signal that is not an AbortSignal, even when nothing would change', async () => {
    const same = { clusters: [cluster([[a], [b]])] };
    const error = await mesh
      .updateTopology(same, { signal: { aborted: false } as never })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toMatch(/`options.signal` must be an AbortSignal/);
    await expect(mesh.updateTopology(same, { batchSize: 0 })).rejects.toThrow(
      /`options.batchSize` must be an integer/,
    );
  });

  it('refuses a second change while one runs', async () => {
    const held = a.holdNext('get');
    const first = mesh.updateTopology({ clusters: [cluster([[a, c], [b]])] });
    await held.entered;
    await expect(mesh.updateTopology({ clusters: [cluster([[a], [b]])] })).rejects.toThrow(
      /already running/,
    );
    held.release();
    await expect(first).resolves.toMatchObject({ added: ['c/s0/c'] });
  });

  it('fills an added replica before it serves reads, then serves reads from it', async () => {
    const report = await mesh.updateTopology({ clusters: [cluster([[a, c], [b]])] });
    expect(report.added).toEqual(['c/s0/c']);
    expect(report.epoch).toBe(2);
    expect(mesh.topology.epoch).toBe(2);
    const expected = (await allIds(a)).map(String).sort();
    expect((await allIds(c)).map(String).sort()).toEqual(expected);
    expect(report.filled).toBe(expected.length);
    // Drop the original: every read of shard s0 now comes from the filled replica.
    const removed = await mesh.updateTopology({ clusters: [cluster([[c], [b]])] });
    expect(removed.removed).toEqual(['c/s0/a']);
    const docs = mesh.collection('docs');
    expect(await docs.get(Array.from({ length: 50 }, (_, i) => i))).toHaveLength(50);
    await expect(a.get('docs', [0])).rejects.toThrow(); // drained, then closed
  });

  it('undoes an aborted fill: the old topology stays, the added replica is dropped', async () => {
    const controller = new AbortController();
    const off = mesh.events.on('fillProgress', () => {
      controller.abort();
    });
    await expect(
      mesh.updateTopology(
        { clusters: [cluster([[a, c], [b]])] },
        { batchSize: 10, signal: controller.signal },
      ),
    ).rejects.toBeInstanceOf(AbortedError);
    off();
    expect(mesh.topology.epoch).toBe(1);
    expect(mesh.topology.clusters[0]!.shards[0]!.replicas).toHaveLength(1);
    await expect(c.get('docs', [0])).rejects.toThrow(); // closed: no replica in force uses it
    await mesh.collection('docs').upsert([{ id: 999, vector: vector(999) }]);
    expect(c.callsOf('upsert').length).toBe(1); // only the one batch the fill wrote
  });

  it('never lets a fill batch overwrite a newer live write (the copy gate)', async () => {
    const docs = mesh.collection('docs');
    const heldCopy = c.holdNext('upsert'); // the fill's write of its first batch to `c`
    const update = mesh.updateTopology({ clusters: [cluster([[a, c], [b]])] });
    await heldCopy.entered; // the batch read point values from `a` and is writing them to `c`
    const id = (await allIds(a))[0] as PointId;
    let written = false;
    const write = docs.upsert([{ id, vector: vector(0, 9) }]).then(() => (written = true));
    await settle();
    expect(written).toBe(false); // it waits at the gate for the batch holding its id
    heldCopy.release();
    await Promise.all([update, write]);
    const [onC] = await c.get('docs', [id], { includeVector: true });
    expect(onC?.vector?.[2]).toBeCloseTo(10);
  });

  it('lets an operation started before the change finish on the old topology', async () => {
    const docs = mesh.collection('docs');
    const added = await mesh.updateTopology({ clusters: [cluster([[a, c], [b]])] });
    expect(added.epoch).toBe(2);
    const held = a.holdNext('search');
    const search = docs.search({ vectors: [vector(1)], topK: 3 });
    await held.entered; // pinned to epoch 2, reading `a`
    let removed = false;
    const remove = mesh.updateTopology({ clusters: [cluster([[c], [b]])] }).then((report) => {
      removed = true;
      return report;
    });
    await settle();
    // New operations already run on epoch 3; the change waits for the search on epoch 2.
    expect(mesh.topology.epoch).toBe(3);
    expect(removed).toBe(false);
    held.release();
    const result = await search;
    expect(result.hits[0]).toHaveLength(3);
    expect(result.coverage.complete).toBe(true);
    expect((await remove).removed).toEqual(['c/s0/a']);
  });
});

describe('reshard', () => {
  let backends: HoldBackend[];
  let mesh: Mesh;
  let dir: string;
  const N = 600;
  const from = () => cluster([[backends[0]!], [backends[1]!], [backends[2]!]]);
  const to = () => cluster([[backends[0]!], [backends[1]!], [backends[2]!], [backends[3]!]]);

  beforeEach(async () => {
    backends = [0, 1, 2, 3].map(() => new HoldBackend());
    dir = await mkdtemp(join(tmpdir(), 'vecmesh-reshard-'));
    mesh = createMesh({ clusters: [from()] });
    await mesh.connect();
    const docs = await mesh.createCollection('docs', { dimension: DIMENSION, metric: 'l2' });
    for (let i = 0; i < N; i += 200) {
      await docs.upsert(
        Array.from({ length: 200 }, (_, k) => ({
          id: i + k,
          vector: vector(i + k),
          payload: { v: 0 },
        })),
      );
    }
  });

  afterEach(async () => {
    await mesh.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Every shard's ids: each id on exactly its owner, and the union is `expected`. */
  async function expectPlaced(m: Mesh, expected: PointId[]): Promise<void> {
    const map = m.topology.clusters[0]!.shardMap;
    const seen = new Map<string, number>();
    for (const [s, shard] of m.topology.clusters[0]!.shards.entries()) {
      for (const id of await allIds(shard.replicas[0]!.backend)) {
        expect(map.shardFor(id)).toBe(s);
        seen.set(String(id), (seen.get(String(id)) ?? 0) + 1);
      }
    }
    expect([...seen.keys()].sort()).toEqual(expected.map(String).sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  }

  it('refuses bad next topologies, changing nothing', async () => {
    await expect(mesh.reshard({ clusters: [from()] })).rejects.toThrow(/nothing to migrate/);
    await expect(
      mesh.reshard({
        clusters: [to()],
        sharding: { strategy: 'range', boundaries: [100, 50, 200] },
      }),
    ).rejects.toBeInstanceOf(InvalidTopologyError);
    await expect(
      mesh.reshard({ clusters: [to(), { ...cluster([[new HoldBackend()]]), name: 'd' }] }),
    ).rejects.toThrow(/not supported yet/);
    await expect(
      mesh.reshard({
        clusters: [to()],
        sharding: { strategy: 'consistent-hash', key: { field: 'v' } },
      }),
    ).rejects.toThrow(/shard key changes/);
    // A kept shard whose replicas change.
    await expect(
      mesh.reshard({
        clusters: [cluster([[backends[0]!, backends[3]!], [backends[1]!], [backends[2]!]])],
      }),
    ).rejects.toThrow(/replicas change/);
    expect(mesh.topology.epoch).toBe(1);
    expect(mesh.migrating).toBe(false);
    expect(backends[3]!.calls).toEqual([]);
  });

  it('refuses a migration started twice', async () => {
    const held = backends[0]!.holdNext('get');
    const first = mesh.reshard({ clusters: [to()] });
    await held.entered;
    await expect(mesh.reshard({ clusters: [to()] })).rejects.toThrow(/started twice/);
    held.release();
    await expect(first).resolves.toMatchObject({ epoch: 2 });
  });

  it('grows 3 -> 4 shards: moves about 1/4, every point on exactly its new owner', async () => {
    const events: ReshardProgressEvent[] = [];
    mesh.events.on('reshardProgress', (e) => events.push(e));
    const report = await mesh.reshard({ clusters: [to()] }, { batchSize: 100 });
    expect(report.total).toBe(N);
    expect(report.expectedFraction).toBeCloseTo(1 / 4);
    expect(Math.abs(report.movedFraction - 0.25)).toBeLessThan(0.1);
    expect(report.moved).toBe(
      (await allIds(backends[3]!)).length, // every moved point landed on the new shard
    );
    expect(report.deleted).toBe(report.moved);
    expect(mesh.topology.epoch).toBe(2);
    expect(events.filter((e) => e.phase === 'copy').at(-1)?.total).toBe(N);
    await expectPlaced(
      mesh,
      Array.from({ length: N }, (_, i) => i),
    );
  });

  it('dual-writes and reads both owners while paused, then resumes and loses nothing', async () => {
    const controller = new AbortController();
    const paused = mesh.reshard(
      { clusters: [to()] },
      {
        batchSize: 50,
        signal: controller.signal,
        onProgress: () => {
          controller.abort();
        },
      },
    );
    await expect(paused).rejects.toBeInstanceOf(AbortedError);
    expect(mesh.migrating).toBe(true);
    expect(mesh.topology.epoch).toBe(1);
    const docs = mesh.collection('docs');
    // Writes while paused: new points, new values, deletes.
    await docs.upsert(
      Array.from({ length: 100 }, (_, k) => ({
        id: N + k,
        vector: vector(N + k),
        payload: { v: 1 },
      })),
    );
    await docs.upsert(
      Array.from({ length: 50 }, (_, k) => ({ id: k, vector: vector(k), payload: { v: 2 } })),
    );
    await docs.delete([50, 51, 52]);
    // Points whose new owner is the new shard are already there (dual writes) and readable.
    const got = await docs.get([0, 1, N, N + 1, 50]);
    expect(got.map((p) => p.id)).toEqual([0, 1, N, N + 1]);
    expect(got[0]?.payload).toEqual({ v: 2 });
    const onNew = await allIds(backends[3]!);
    expect(onNew.length).toBeGreaterThan(0);
    // A search finds a point that so far only the new shard... and the old owners hold.
    const hit = await docs.search({ vectors: [vector(N + 5)], topK: 1 });
    expect(hit.hits[0]?.[0]?.id).toBe(N + 5);
    expect(await docs.count()).toBe(N + 100 - 3);

    const report = await mesh.reshard({ clusters: [to()] }, { batchSize: 50 });
    expect(report.resumed).toBe(true);
    expect(report.scanned).toBeLessThan(report.total);
    const expected = Array.from({ length: N + 100 }, (_, i) => i).filter((i) => i < 50 || i > 52);
    await expectPlaced(mesh, expected);
    const values = await docs.get(Array.from({ length: 50 }, (_, i) => i));
    expect(values.every((p) => p.payload.v === 2)).toBe(true);
  });

  it('resumes from its checkpoint in a new mesh (a restart), without rescanning', async () => {
    const checkpoint = join(dir, 'reshard.json');
    const controller = new AbortController();
    let pages = 0;
    await expect(
      mesh.reshard(
        { clusters: [to()] },
        {
          batchSize: 50,
          checkpoint,
          signal: controller.signal,
          onProgress: () => {
            if (++pages === 4) controller.abort();
          },
        },
      ),
    ).rejects.toBeInstanceOf(AbortedError);
    const saved = JSON.parse(await readFile(checkpoint, 'utf8')) as { total: number };
    expect(saved.total).toBeGreaterThan(0);
    expect(saved.total).toBeLessThan(N);
    // The process "restarts": a new mesh on the old topology, no writes before resuming.
    const again = createMesh({ clusters: [from()] });
    await again.connect();
    try {
      await expect(
        again.reshard(
          {
            clusters: [
              cluster(
                backends.map((b) => [b]),
                ['s0', 's1', 's2', 's9'],
              ),
            ],
          },
          { checkpoint },
        ),
      ).rejects.toThrow(/belongs to another migration/);
      const report = await again.reshard({ clusters: [to()] }, { batchSize: 50, checkpoint });
      expect(report.resumed).toBe(true);
      expect(report.total).toBe(N);
      expect(report.scanned).toBe(N - saved.total);
      await expectPlaced(
        again,
        Array.from({ length: N }, (_, i) => i),
      );
      await expect(readFile(checkpoint)).rejects.toThrow(/ENOENT/);
    } finally {
      await again.close();
    }
  });

  it('abortReshard returns to the old placement and removes the copies', async () => {
    const controller = new AbortController();
    await expect(
      mesh.reshard(
        { clusters: [to()] },
        {
          batchSize: 100,
          signal: controller.signal,
          onProgress: () => {
            controller.abort();
          },
        },
      ),
    ).rejects.toBeInstanceOf(AbortedError);
    await expect(
      mesh.reshard({ clusters: [cluster([[backends[0]!], [backends[1]!]])] }),
    ).rejects.toThrow(/another placement is paused/);
    await expect(mesh.updateTopology({ clusters: [from()] })).rejects.toThrow(/paused/);
    const deleted = await mesh.abortReshard();
    expect(deleted).toBeGreaterThan(0);
    expect(mesh.migrating).toBe(false);
    expect(mesh.topology.epoch).toBe(1);
    await expectPlaced(
      mesh,
      Array.from({ length: N }, (_, i) => i),
    );
    await expect(mesh.abortReshard()).rejects.toThrow(/nothing to abort/);
  });

  it('abortReshard checks its checkpoint as reshard does, before looking for a paused migration', async () => {
    for (const options of [{ checkpoint: '' }, { checkpoint: 7 }]) {
      const error = await mesh.abortReshard(options as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toMatch(/`options.checkpoint` must be a file path/);
      await expect(mesh.reshard({ clusters: [to()] }, options as never)).rejects.toThrow(
        (error as Error).message,
      );
    }
    await expect(mesh.abortReshard({ batchSize: -1 })).rejects.toThrow(
      /`options.batchSize` must be an integer/,
    );
    expect(mesh.migrating).toBe(false);
    await expect(mesh.abortReshard()).rejects.toThrow(/nothing to abort/);
  });

  it('shrinks 4 -> 3 shards after growing, moving the new shard back', async () => {
    await mesh.reshard({ clusters: [to()] });
    const report = await mesh.reshard({ clusters: [from()] });
    expect(report.expectedFraction).toBeCloseTo(1 / 4);
    expect(report.moved).toBeGreaterThan(0);
    await expectPlaced(
      mesh,
      Array.from({ length: N }, (_, i) => i),
    );
    expect(mesh.topology.clusters[0]!.shards).toHaveLength(3);
  });
});
