/** Builds small in-process meshes for tests: memory backends wrapped in RecordingBackend. */
import { memoryBackend } from '../../src/backends/memory/index.js';
import { createMesh, type Mesh, type MeshOptions, type ShardingOptions } from '../../src/index.js';
import { RecordingBackend } from './recording-backend.js';

let counter = 0;

export interface Fixture {
  readonly mesh: Mesh;
  /** backends[cluster][shard][replica] */
  readonly backends: RecordingBackend[][][];
}

/** A connected mesh of `shards` x `replicas` memory backends per cluster. */
export async function meshOf(
  layout: { clusters?: number; shards: number; replicas: number },
  options: Omit<MeshOptions, 'clusters'> & { sharding?: ShardingOptions } = {},
): Promise<Fixture> {
  const backends: RecordingBackend[][][] = [];
  const clusters = Array.from({ length: layout.clusters ?? 1 }, (_, c) => {
    const shardBackends: RecordingBackend[][] = [];
    backends.push(shardBackends);
    return {
      name: `c${c}`,
      shards: Array.from({ length: layout.shards }, () => {
        const replicas = Array.from(
          { length: layout.replicas },
          () => new RecordingBackend(memoryBackend({ name: `fixture-${++counter}` })),
        );
        shardBackends.push(replicas);
        return { replicas: replicas.map((backend) => ({ backend })) };
      }),
    };
  });
  const mesh = createMesh({ ...options, clusters });
  await mesh.connect();
  return { mesh, backends };
}
