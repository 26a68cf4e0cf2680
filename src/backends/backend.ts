/**
 * The contract between the mesh and a vector database endpoint.
 *
 * One adapter instance talks to one endpoint. It knows nothing about shards, replicas or
 * retries: it does what it is asked once and reports honest, classified errors (subclasses of
 * `VecmeshError`: `UnavailableError` and `TimeoutError` for transport trouble,
 * `CollectionNotFoundError`, `InvalidArgumentError`, `BackendError` for the rest). Inputs reach
 * an adapter already validated by the mesh (dimensions, ids, filters), but an adapter used on its
 * own must not crash on bad input either.
 *
 * @module
 */
import type { FilterNode } from '../core/filter-ast.js';
import type {
  CollectionInfo,
  CollectionSpec,
  Hit,
  PointId,
  SearchParams,
  StoredPoint,
  Point,
} from '../core/types.js';

/** Options every backend call accepts. */
export interface CallOptions {
  /** Aborts the call; the adapter rejects with `AbortedError` or `TimeoutError` (when the reason is one). */
  signal?: AbortSignal;
}

/** What one backend can take in one request. The mesh chunks writes to fit. */
export interface BackendCapabilities {
  /** Most points in one upsert, delete or get call. */
  readonly maxPointsPerRequest: number;
  /** Most bytes (vectors as float32 plus JSON payloads and ids) in one upsert call. */
  readonly maxBytesPerRequest: number;
  /** Largest `topK` (including offset) one search accepts. */
  readonly maxTopK: number;
  /** Most query vectors in one search call. */
  readonly maxQueriesPerRequest: number;
}

/** A backend's answer to a health probe. */
export interface HealthStatus {
  /** Whether the endpoint can serve requests now. */
  readonly ok: boolean;
  /** Round-trip time of the probe, in milliseconds. */
  readonly latencyMs: number;
  /** Human-readable detail when not ok. */
  readonly detail?: string;
}

/** A batched search as a backend receives it. */
export interface BackendSearchRequest {
  /** Query vectors, each of the collection's dimension. */
  readonly vectors: readonly Float32Array[];
  /** Hits wanted per query vector (the mesh adds the offset before asking). */
  readonly topK: number;
  /** Validated filter tree, or `undefined` for no filter. */
  readonly filter?: FilterNode;
  /** Return payloads with hits. */
  readonly includePayload: boolean;
  /** Return vectors with hits. */
  readonly includeVector: boolean;
  /** Index tuning. */
  readonly params?: SearchParams;
}

/** What `get` returns per id. */
export interface GetRequest {
  /** Return vectors. @default false */
  readonly includeVector?: boolean;
}

/** One page of an id scan. */
export interface IdPage {
  /** Ids in this page, in the backend's stable scan order. */
  readonly ids: readonly PointId[];
  /** Pass to the next `scanIds` call; absent when the scan is complete. */
  readonly nextCursor?: string;
}

/**
 * One endpoint of a vector database.
 *
 * Lifecycle: constructors do no I/O; `connect()` opens connections (idempotent); `close()` frees
 * them (idempotent), after which every call rejects with `ClosedError`.
 */
export interface VectorBackend {
  /** Adapter kind, e.g. `memory`, `reference`, `milvus`, `qdrant`. Used in errors and metrics. */
  readonly kind: string;
  /** Where this adapter points, e.g. `memory://shard-0a` or `http://127.0.0.1:7001`. */
  readonly endpoint: string;
  /** Request limits the mesh respects. */
  readonly capabilities: BackendCapabilities;

  /** Opens connections. Idempotent. */
  connect(options?: CallOptions): Promise<void>;
  /** Frees every resource. Idempotent. */
  close(): Promise<void>;
  /** Probes the endpoint; never rejects for an unreachable endpoint (answers `ok: false`). */
  health(options?: CallOptions): Promise<HealthStatus>;

  /**
   * Creates a collection. Succeeds without change if it exists with the same dimension and
   * metric; rejects with `CollectionConflictError` if it exists with different ones.
   */
  createCollection(name: string, spec: CollectionSpec, options?: CallOptions): Promise<void>;
  /** Drops a collection. Resolves `false` when there was none. */
  dropCollection(name: string, options?: CallOptions): Promise<boolean>;
  /** Describes a collection; rejects with `CollectionNotFoundError` when there is none. */
  describeCollection(name: string, options?: CallOptions): Promise<CollectionInfo>;
  /** Lists collection names. */
  listCollections(options?: CallOptions): Promise<string[]>;

  /** Inserts or replaces points by id. All or nothing per call where the backend allows. */
  upsert(collection: string, points: readonly Point[], options?: CallOptions): Promise<void>;
  /** Deletes points by id; ids that do not exist are ignored. */
  delete(collection: string, ids: readonly PointId[], options?: CallOptions): Promise<void>;
  /** Reads points by id; missing ids are left out of the answer. */
  get(
    collection: string,
    ids: readonly PointId[],
    request?: GetRequest,
    options?: CallOptions,
  ): Promise<StoredPoint[]>;
  /** Counts points, optionally only those matching a filter. */
  count(collection: string, filter?: FilterNode, options?: CallOptions): Promise<number>;
  /**
   * Searches; answers one list of hits per query vector, best first (by the collection's
   * metric), at most `topK` each.
   */
  search(
    collection: string,
    request: BackendSearchRequest,
    options?: CallOptions,
  ): Promise<Hit[][]>;
  /** Lists ids page by page in a stable order, for repair and migration. */
  scanIds(
    collection: string,
    page: { cursor?: string; limit: number },
    options?: CallOptions,
  ): Promise<IdPage>;
}
