/**
 * updateTopology on memory backends: refusals, filling an added replica, undoing an aborted fill,
 * the copy gate against live writes, and epoch atomicity (an operation finishes on the topology
 * it started on).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AbortedError,
  InvalidOptionError,
  TopologyChangeError,
  createMesh,
  type Mesh,
  type PointId,
} from '../../../src/index.js';
import {
  DIMENSION,
  HoldBackend,
  allIds,
  cluster,
  settle,
  vector,
} from './topology-change-fixture.js';

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

  it('refuses a change at once while operations are in flight and a stream runs', async () => {
    const docs = mesh.collection('docs');
    // One search held on a replica (a hung request), and a stream of writes and searches.
    const held = a.holdNext('search');
    const pending = docs.search({ vectors: [vector(1)], topK: 3 });
    await held.entered;
    const state = { running: true, done: 0 };
    const stream = (async () => {
      for (let i = 100; state.running; i++) {
        await docs.upsert([{ id: i, vector: vector(i) }]);
        await new Promise((resolve) => setImmediate(resolve));
        state.done++;
      }
    })();
    // `a` under the same name on another backend object: refused before anything waits.
    const other = new HoldBackend('a');
    const outcome = await mesh.updateTopology({ clusters: [cluster([[other], [b]])] }).then(
      () => 'applied',
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(TopologyChangeError);
    expect((outcome as Error).message).toMatch(/changes its backend or namespace/);
    state.running = false;
    await stream;
    held.release();
    await pending;
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
