/**
 * A test wrapper around a real backend that records every call and can make chosen calls fail
 * or hang. Used by the mesh tests; the user-facing fault injector is FaultyBackend (issue 3).
 */
import type {
  BackendSearchRequest,
  CallOptions,
  GetRequest,
  HealthStatus,
  IdPage,
  VectorBackend,
} from '../../src/backends/backend.js';
import type { FilterNode } from '../../src/core/filter-ast.js';
import type {
  CollectionInfo,
  CollectionSpec,
  Hit,
  Point,
  PointId,
  StoredPoint,
} from '../../src/core/types.js';

export type Method =
  | 'connect'
  | 'createCollection'
  | 'dropCollection'
  | 'describeCollection'
  | 'upsert'
  | 'delete'
  | 'get'
  | 'count'
  | 'search'
  | 'scanIds';

export interface RecordedCall {
  readonly method: Method;
  readonly size: number;
}

/** Decides per call: undefined to pass through, an error to throw, or 'hang' to never answer. */
export type Fault = (method: Method) => Error | 'hang' | undefined;

export class RecordingBackend implements VectorBackend {
  readonly calls: RecordedCall[] = [];
  inFlight = 0;
  maxInFlight = 0;
  fault: Fault = () => undefined;

  constructor(readonly inner: VectorBackend) {}

  get kind(): string {
    return this.inner.kind;
  }
  get endpoint(): string {
    return this.inner.endpoint;
  }
  get capabilities(): VectorBackend['capabilities'] {
    return this.inner.capabilities;
  }

  callsOf(method: Method): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  private async run<T>(
    method: Method,
    size: number,
    signal: AbortSignal | undefined,
    call: () => Promise<T>,
  ): Promise<T> {
    this.calls.push({ method, size });
    const fault = this.fault(method);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // Yield once so that concurrent calls overlap and the in-flight count means something.
      await Promise.resolve();
      if (fault === 'hang') {
        return await new Promise<T>((_, reject) => {
          signal?.addEventListener(
            'abort',
            () => {
              reject(signal.reason as Error);
            },
            { once: true },
          );
        });
      }
      if (fault) throw fault;
      return await call();
    } finally {
      this.inFlight--;
    }
  }

  connect(options?: CallOptions): Promise<void> {
    return this.run('connect', 0, options?.signal, () => this.inner.connect(options));
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  health(options?: CallOptions): Promise<HealthStatus> {
    return this.inner.health(options);
  }
  createCollection(name: string, spec: CollectionSpec, options?: CallOptions): Promise<void> {
    return this.run('createCollection', 0, options?.signal, () =>
      this.inner.createCollection(name, spec, options),
    );
  }
  dropCollection(name: string, options?: CallOptions): Promise<boolean> {
    return this.run('dropCollection', 0, options?.signal, () =>
      this.inner.dropCollection(name, options),
    );
  }
  describeCollection(name: string, options?: CallOptions): Promise<CollectionInfo> {
    return this.run('describeCollection', 0, options?.signal, () =>
      this.inner.describeCollection(name, options),
    );
  }
  listCollections(options?: CallOptions): Promise<string[]> {
    return this.inner.listCollections(options);
  }
  upsert(collection: string, points: readonly Point[], options?: CallOptions): Promise<void> {
    return this.run('upsert', points.length, options?.signal, () =>
      this.inner.upsert(collection, points, options),
    );
  }
  delete(collection: string, ids: readonly PointId[], options?: CallOptions): Promise<void> {
    return this.run('delete', ids.length, options?.signal, () =>
      this.inner.delete(collection, ids, options),
    );
  }
  get(
    collection: string,
    ids: readonly PointId[],
    request?: GetRequest,
    options?: CallOptions,
  ): Promise<StoredPoint[]> {
    return this.run('get', ids.length, options?.signal, () =>
      this.inner.get(collection, ids, request, options),
    );
  }
  count(collection: string, filter?: FilterNode, options?: CallOptions): Promise<number> {
    return this.run('count', 0, options?.signal, () =>
      this.inner.count(collection, filter, options),
    );
  }
  search(
    collection: string,
    request: BackendSearchRequest,
    options?: CallOptions,
  ): Promise<Hit[][]> {
    return this.run('search', request.vectors.length, options?.signal, () =>
      this.inner.search(collection, request, options),
    );
  }
  scanIds(
    collection: string,
    page: { cursor?: string; limit: number },
    options?: CallOptions,
  ): Promise<IdPage> {
    return this.run('scanIds', page.limit, options?.signal, () =>
      this.inner.scanIds(collection, page, options),
    );
  }
}
