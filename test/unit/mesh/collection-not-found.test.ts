/**
 * A collection the mesh's replicas do not have is reported under the name the caller used:
 * replicas with a `namespace` hold `s0__docs`, which the caller never wrote, so the mesh
 * restates the backend's `CollectionNotFoundError` with the logical name first and the replica,
 * backend and physical name after, keeping the backend's error as `cause`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryBackend, type MemoryBackend } from '../../../src/backends/memory/index.js';
import {
  CollectionNotFoundError,
  PartialWriteError,
  VecmeshError,
  createMesh,
  type Mesh,
} from '../../../src/index.js';
import { rejection } from '../../helpers/rejection.js';

let mesh: Mesh;
let backends: MemoryBackend[];

async function start(namespaced: boolean): Promise<void> {
  backends = [memoryBackend({ name: 'a' }), memoryBackend({ name: 'b' })];
  mesh = createMesh({
    clusters: [
      {
        name: 'c',
        shards: backends.map((backend, i) => ({
          replicas: [namespaced ? { backend, namespace: `s${i}` } : { backend }],
        })),
      },
    ],
  });
  await mesh.connect();
}

afterEach(async () => {
  await mesh.close();
});

describe('mesh.collection() of a collection that does not exist', () => {
  it('names the logical collection, the replica, and the namespaced name after', async () => {
    await start(true);
    const docs = mesh.collection('nope');
    for (const call of [
      () => docs.search({ vectors: [[1, 2]], topK: 1 }),
      () => docs.upsert([{ id: 'a', vector: [1, 2] }]),
      () => docs.delete(['a']),
      () => docs.get(['a']),
      () => docs.count(),
      () => docs.describe(),
    ]) {
      const err = await rejection(call());
      expect(err).toBeInstanceOf(CollectionNotFoundError);
      expect(err.message).toBe(
        'collection `nope` does not exist on replica `c/s0/r0` (memory memory://a has no collection `s0__nope`)',
      );
      expect(err.meta).toMatchObject({ collection: 'nope', replica: 'c/s0/r0', shard: 's0' });
      expect((err.cause as VecmeshError).meta.collection).toBe('s0__nope');
    }
  });

  it('without a namespace the message does not repeat the name', async () => {
    await start(false);
    const err = await rejection(mesh.collection('nope').count());
    expect(err.message).toBe(
      'collection `nope` does not exist on replica `c/s0/r0` (memory memory://a)',
    );
  });
});

describe('a collection dropped under the mesh on one replica', () => {
  it('reads and writes name it by its logical name, even one that looks namespaced', async () => {
    await start(true);
    // `s1__x` on replica s1 is `s1__s1__x`: only the namespace prefix is taken off, once.
    const name = 's1__x';
    const docs = await mesh.createCollection(name, { dimension: 2, metric: 'l2' });
    await backends[1]!.dropCollection(`s1__${name}`);
    const expected = `collection \`${name}\` does not exist on replica \`c/s1/r0\` (memory memory://b has no collection \`s1__${name}\`)`;

    const read = await rejection(docs.search({ vectors: [[1, 2]], topK: 1 }));
    expect(read).toBeInstanceOf(CollectionNotFoundError);
    expect(read.message).toBe(expected);
    expect(read.meta.collection).toBe(name);

    // Enough ids that both shards get some: s1's fail, s0's are acknowledged.
    const points = Array.from({ length: 16 }, (_, i) => ({ id: i, vector: [i, 1] }));
    const write = await rejection(docs.upsert(points));
    if (!(write instanceof PartialWriteError)) throw write;
    const failures = write.failures;
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f.error.message).toBe(expected);
      expect(f.error.meta.collection).toBe(name);
    }
    expect(write.message).toContain(expected);
  });
});
