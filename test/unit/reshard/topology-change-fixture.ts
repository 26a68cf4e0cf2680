/**
 * Shared setup for the online topology change tests (copy gate and copy sources, updateTopology,
 * reshard): memory backends whose calls can be held, the test vectors, cluster options and a
 * full scan of a backend's ids.
 */
import { memoryBackend } from '../../../src/backends/memory/index.js';
import type { CallOptions } from '../../../src/backends/backend.js';
import type { ClusterOptions, Point, PointId, VectorBackend } from '../../../src/index.js';
import { RecordingBackend, type Method } from '../../helpers/recording-backend.js';

let counter = 0;

/** A recording memory backend whose calls of one method can be held until released. */
export class HoldBackend extends RecordingBackend {
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
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export const DIMENSION = 4;
export const vector = (i: number, v = 0) => [Math.sin(i) + 2, Math.cos(i) + 2, v + 1, 1];

export function cluster(shards: HoldBackend[][], names?: string[]): ClusterOptions {
  return {
    name: 'c',
    shards: shards.map((replicas, s) => ({
      name: names?.[s] ?? `s${s}`,
      replicas: replicas.map((backend) => ({ backend, name: backend.label })),
    })),
  };
}

export async function allIds(backend: VectorBackend, collection = 'docs'): Promise<PointId[]> {
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
