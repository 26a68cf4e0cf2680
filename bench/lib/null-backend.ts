/** A backend that does no work, to measure what the mesh itself adds to a call. */
import type {
  BackendCapabilities,
  BackendSearchRequest,
  HealthStatus,
  IdPage,
  VectorBackend,
} from '../../src/backends/backend.js';
import type { CollectionInfo, CollectionSpec, Hit, StoredPoint } from '../../src/core/types.js';

export class NullBackend implements VectorBackend {
  readonly kind = 'null';
  readonly capabilities: BackendCapabilities = {
    maxPointsPerRequest: 10_000,
    maxBytesPerRequest: 64 * 1024 * 1024,
    maxTopK: 10_000,
    maxQueriesPerRequest: 1000,
  };
  private readonly specs = new Map<string, CollectionSpec>();

  constructor(readonly endpoint: string) {}

  connect(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  health(): Promise<HealthStatus> {
    return Promise.resolve({ ok: true, latencyMs: 0 });
  }
  createCollection(name: string, spec: CollectionSpec): Promise<void> {
    this.specs.set(name, spec);
    return Promise.resolve();
  }
  dropCollection(name: string): Promise<boolean> {
    return Promise.resolve(this.specs.delete(name));
  }
  describeCollection(name: string): Promise<CollectionInfo> {
    return Promise.resolve({ name, count: 0, ...this.specs.get(name)! });
  }
  listCollections(): Promise<string[]> {
    return Promise.resolve([...this.specs.keys()]);
  }
  upsert(): Promise<void> {
    return Promise.resolve();
  }
  delete(): Promise<void> {
    return Promise.resolve();
  }
  get(): Promise<StoredPoint[]> {
    return Promise.resolve([]);
  }
  count(): Promise<number> {
    return Promise.resolve(0);
  }
  search(_collection: string, request: BackendSearchRequest): Promise<Hit[][]> {
    return Promise.resolve(request.vectors.map(() => []));
  }
  scanIds(): Promise<IdPage> {
    return Promise.resolve({ ids: [] });
  }
}
