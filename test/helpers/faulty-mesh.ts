/** Meshes of FaultyBackend-wrapped memory backends, and a way to wait for a mesh event. */
import { memoryBackend } from '../../src/backends/memory/index.js';
import {
  createMesh,
  type Mesh,
  type MeshEventName,
  type MeshEvents,
  type MeshOptions,
} from '../../src/index.js';
import { FaultyBackend } from '../../src/testing/index.js';

let counter = 0;

export interface FaultyFixture {
  readonly mesh: Mesh;
  /** backends[cluster][shard][replica] */
  readonly backends: FaultyBackend[][][];
}

/** A connected mesh of `clusters` x `shards` x `replicas` faulty memory backends. */
export async function faultyMesh(
  layout: { clusters?: number; shards: number; replicas: number; weights?: number[] },
  options: Omit<MeshOptions, 'clusters'> = {},
): Promise<FaultyFixture> {
  const backends: FaultyBackend[][][] = [];
  const clusters = Array.from({ length: layout.clusters ?? 1 }, (_, c) => {
    const byShard: FaultyBackend[][] = [];
    backends.push(byShard);
    return {
      name: `c${c}`,
      shards: Array.from({ length: layout.shards }, () => {
        const replicas = Array.from(
          { length: layout.replicas },
          () => new FaultyBackend(memoryBackend({ name: `faulty-${++counter}` })),
        );
        byShard.push(replicas);
        return {
          replicas: replicas.map((backend, r) => ({ backend, weight: layout.weights?.[r] ?? 1 })),
        };
      }),
    };
  });
  const mesh = createMesh({ ...options, clusters });
  await mesh.connect();
  return { mesh, backends };
}

/** Resolves with the first `name` event that satisfies `match`. */
export function nextEvent<E extends MeshEventName>(
  mesh: Mesh,
  name: E,
  match: (event: MeshEvents[E]) => boolean = () => true,
): Promise<MeshEvents[E]> {
  return new Promise((resolve) => {
    const off = mesh.events.on(name, (event) => {
      if (!match(event)) return;
      off();
      resolve(event);
    });
  });
}

/** Points with ids `p<from>..`, 4-dimensional, and a payload. */
export function somePoints(n: number, from = 0) {
  return Array.from({ length: n }, (_, i) => ({
    id: `p${from + i}`,
    vector: [1 + ((from + i) % 7), 2, 3 + ((from + i) % 3), 4],
    payload: { n: from + i },
  }));
}
