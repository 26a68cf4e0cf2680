/**
 * The contract between the reference node's HTTP server and its storage engine. The server
 * validates requests (dimension, ids, filters) before it calls the store; the store makes every
 * acknowledged write durable before its promise resolves.
 *
 * @module
 */
import type { FilterNode } from '../../core/filter-ast.js';
import type {
  CollectionInfo,
  CollectionSpec,
  Hit,
  Point,
  PointId,
  StoredPoint,
} from '../../core/types.js';

/** A search as the store runs it. */
export interface StoreSearchRequest {
  /** Query vectors, each of the collection's dimension. */
  readonly vectors: readonly Float32Array[];
  /** Hits per query. */
  readonly topK: number;
  /** Validated filter, or undefined. */
  readonly filter?: FilterNode;
  /** HNSW search expansion for this request. */
  readonly ef?: number;
  /** Brute-force exact search. */
  readonly exact?: boolean;
  /** Return payloads. */
  readonly includePayload: boolean;
  /** Return vectors. */
  readonly includeVector: boolean;
}

/** What `openStore` found and did while starting. */
export interface RecoveryReport {
  /** Collections loaded from snapshots. */
  readonly collections: number;
  /** Log records replayed after the snapshots. */
  readonly replayed: number;
  /** Bytes dropped from a torn or corrupt log tail (0 when the log was clean). */
  readonly droppedBytes: number;
  /** Why bytes were dropped, when they were. */
  readonly problem?: string;
}

/** Why a snapshot was taken. */
export type SnapshotTrigger =
  /** The log passed `snapshotEveryBytes`. */
  | 'size'
  /** The oldest record not in a snapshot got older than `snapshotMaxAgeMs`. */
  | 'age'
  /** The background indexer finished: the snapshot saves the completed graphs. */
  | 'indexed'
  /** `snapshot()` was called. */
  | 'request'
  /** `close()`. */
  | 'close';

/** A snapshot that was written, or failed, as told to `onSnapshot`. */
export interface SnapshotEvent {
  /** Why it was taken. */
  readonly trigger: SnapshotTrigger;
  /** The log seq it covers (every record up to it), or would have covered when it failed. */
  readonly seq: number;
  /** Time it took, from the start of the first file to the log truncated, in milliseconds. */
  readonly durationMs: number;
  /** Bytes of log records it made unnecessary (the log is truncated to its header). */
  readonly logBytes: number;
  /** Why it failed; the log then still holds every record, and a later snapshot tries again. */
  readonly error?: Error;
}

/** The storage engine of a reference node. */
export interface VectorStore {
  /** Creates a collection; `exists` when it is there with the same dimension and metric. @throws CollectionConflictError otherwise. */
  createCollection(name: string, spec: CollectionSpec): Promise<'created' | 'exists'>;
  /** Drops a collection; `false` when there was none. */
  dropCollection(name: string): Promise<boolean>;
  /** @throws CollectionNotFoundError */
  describeCollection(name: string): CollectionInfo;
  /** Collection names. */
  listCollections(): string[];
  /** Inserts or replaces; durable (logged and flushed) when the promise resolves. @throws CollectionNotFoundError */
  upsert(name: string, points: readonly Point[]): Promise<void>;
  /** Deletes by id (missing ids ignored); durable when the promise resolves. */
  delete(name: string, ids: readonly PointId[]): Promise<void>;
  /** Points by id, in request order, missing ones left out. */
  get(name: string, ids: readonly PointId[], includeVector: boolean): StoredPoint[];
  /** Points, optionally matching a filter. */
  count(name: string, filter?: FilterNode): number;
  /** One list of hits per query vector, best first (cosine/ip similarity, l2 squared distance). */
  search(name: string, request: StoreSearchRequest): Hit[][];
  /** Ids in a stable order, page by page. */
  scanIds(
    name: string,
    cursor: string | undefined,
    limit: number,
  ): { ids: PointId[]; nextCursor?: string };
  /** Writes snapshots of every collection and truncates the log. */
  snapshot(): Promise<void>;
  /** Flushes and closes files. Idempotent. */
  close(): Promise<void>;
}
