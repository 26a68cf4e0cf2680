/**
 * The wire protocol of the vecmesh reference node, shared by its server (`src/node/server`) and
 * its client adapter (`referenceBackend`): request limits, and the JSON shapes of requests and
 * answers. Routes are documented in `docs/reference-node-api.md`.
 *
 * @module
 */
import type { Filter } from '../../core/filter-ast.js';
import type {
  CollectionInfo,
  Hit,
  IndexSpec,
  Metric,
  Payload,
  PointId,
  StoredPoint,
} from '../../core/types.js';

/** What one request to a node may hold. */
export interface NodeLimits {
  /** Most points in one upsert, ids in one delete or get, or ids in one scan page. */
  readonly maxPointsPerRequest: number;
  /** Most query vectors in one search. */
  readonly maxQueriesPerRequest: number;
  /** Largest `topK` of one search. */
  readonly maxTopK: number;
  /** Largest `ef` of one search, and `efConstruction` of one index. */
  readonly maxEf: number;
  /** Largest HNSW graph degree `m`. */
  readonly maxM: number;
}

/** The limits every node enforces (400 beyond them). */
export const NODE_LIMITS: NodeLimits = Object.freeze({
  maxPointsPerRequest: 10_000,
  maxQueriesPerRequest: 1_000,
  maxTopK: 10_000,
  maxEf: 65_536,
  maxM: 256,
});

/** Collection names a node accepts: letters, digits, `_` and `-`, 1 to 255 characters. */
export const COLLECTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

/** `PUT /collections/:name` */
export interface CreateCollectionBody {
  /** Length of every vector. */
  dimension: number;
  /** `cosine`, `ip` or `l2`. */
  metric: Metric;
  /** The index to build. @default { type: 'hnsw' } */
  index?: IndexSpec;
}

/** Answer of `PUT /collections/:name`: 201 when created, 200 when it already existed. */
export interface CreateCollectionAnswer {
  /** Whether this request created the collection. */
  created: boolean;
}

/** Answer of `DELETE /collections/:name`. */
export interface DropCollectionAnswer {
  /** Whether there was a collection to drop. */
  dropped: boolean;
}

/** Answer of `GET /collections/:name`. */
export type DescribeCollectionAnswer = CollectionInfo;

/** Answer of `GET /collections`. */
export interface ListCollectionsAnswer {
  /** Collection names, sorted. */
  collections: string[];
}

/** One point on the wire. */
export interface WirePoint {
  /** String or safe integer. */
  id: PointId;
  /** The vector as a JSON array of numbers. */
  vector: number[];
  /** Optional JSON object. */
  payload?: Payload;
}

/** `POST /collections/:name/points/upsert` */
export interface UpsertBody {
  /** The points; the whole batch is validated before any is written. */
  points: WirePoint[];
}

/** Answer of `POST /collections/:name/points/upsert`. */
export interface UpsertAnswer {
  /** Points written. */
  upserted: number;
}

/** `POST /collections/:name/points/delete` */
export interface DeleteBody {
  /** Ids to delete; missing ids are ignored. */
  ids: PointId[];
}

/** Answer of `POST /collections/:name/points/delete`. */
export interface DeleteAnswer {
  /** Ids asked for (whether they existed or not). */
  deleted: number;
}

/** `POST /collections/:name/points/get` */
export interface GetBody {
  /** Ids to read; missing ids are left out of the answer. */
  ids: PointId[];
  /** Return vectors. @default false */
  includeVector?: boolean;
}

/** Answer of `POST /collections/:name/points/get`. */
export interface GetAnswer {
  /** The points found, in the order asked. */
  points: StoredPoint[];
}

/** `POST /collections/:name/points/count` */
export interface CountBody {
  /** Count only points matching this filter (the portable filter language). */
  filter?: Filter;
}

/** Answer of `POST /collections/:name/points/count`. */
export interface CountAnswer {
  /** Number of points. */
  count: number;
}

/** `POST /collections/:name/search` */
export interface SearchBody {
  /** Query vectors. */
  vectors: number[][];
  /** Hits per query vector. */
  topK: number;
  /** Only points matching this filter. */
  filter?: Filter;
  /** HNSW search expansion. */
  ef?: number;
  /** Brute-force exact search. @default false */
  exact?: boolean;
  /** Return payloads with hits. @default false */
  includePayload?: boolean;
  /** Return vectors with hits. @default false */
  includeVector?: boolean;
}

/** Answer of `POST /collections/:name/search`. */
export interface SearchAnswer {
  /** One list of hits per query vector, best first. */
  hits: Hit[][];
}

/** Answer of `GET /collections/:name/ids?cursor=&limit=`. */
export interface ScanIdsAnswer {
  /** Ids of this page. */
  ids: PointId[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** Answer of `GET /healthz` and `GET /readyz`. */
export interface ProbeAnswer {
  /** `true` when the node is alive (healthz) or ready to serve (readyz). */
  ok: boolean;
}

/** Every error answer. */
export interface ErrorAnswer {
  /** The error. */
  error: {
    /** A `VECMESH_ERR_*` code. */
    code: string;
    /** What went wrong. */
    message: string;
  };
}
