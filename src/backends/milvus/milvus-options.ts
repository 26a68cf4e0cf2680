/**
 * Options of the Milvus adapter, their defaults and their validation.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../../core/errors.js';
import {
  optionChoice,
  optionInteger,
  optionObject,
  optionString,
  rejectUnknownKeys,
} from '../../core/options.js';
import type { BackendCapabilities } from '../backend.js';
import { resolveCapabilityOption, type CapabilityBounds } from '../capabilities.js';

/** How fresh a read must be, as Milvus names its consistency levels. */
export type MilvusConsistencyLevel = 'Strong' | 'Session' | 'Bounded' | 'Eventually';

/** Every consistency level, in a stable order. */
export const MILVUS_CONSISTENCY_LEVELS: readonly MilvusConsistencyLevel[] = Object.freeze([
  'Strong',
  'Session',
  'Bounded',
  'Eventually',
]);

/** An HNSW graph index. */
export interface MilvusHnswIndex {
  /** Index kind. */
  type: 'HNSW';
  /**
   * Graph degree.
   * @default 16
   */
  M?: number;
  /**
   * Build-time expansion.
   * @default 200
   */
  efConstruction?: number;
}

/** Milvus picks the index (`AUTOINDEX`), or exact search (`FLAT`). */
export interface MilvusPlainIndex {
  /** Index kind. */
  type: 'AUTOINDEX' | 'FLAT';
}

/** The vector index Milvus builds for a collection. */
export type MilvusIndexOption = MilvusHnswIndex | MilvusPlainIndex;

/** Options of `milvusBackend()`. */
export interface MilvusBackendOptions {
  /**
   * The server's gRPC address: `host:port`, `http://host:port` or `https://host:port`
   * (`https:` turns TLS on).
   * @example '127.0.0.1:19530'
   */
  address: string;
  /**
   * Credentials: an API key, or `user:password`.
   * @default undefined (none)
   */
  token?: string;
  /**
   * The Milvus database the collections live in.
   * @default 'default'
   */
  database?: string;
  /**
   * Deadline of each gRPC call, in milliseconds (the mesh's deadline usually ends a call sooner,
   * through its `AbortSignal`).
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * Consistency level of every read and search. `Strong` makes each write visible to the next
   * read, which the mesh (repair, read-your-writes) expects; the others trade that for speed.
   * @default 'Strong'
   */
  consistencyLevel?: MilvusConsistencyLevel;
  /**
   * The index of new collections. Without it the collection spec's `index` decides:
   * `{ type: 'flat' }` builds FLAT (exact search), anything else HNSW with the spec's `m` and
   * `efConstruction` (16 and 200 when absent).
   * @default undefined (follow the collection spec)
   * @example
   * ```ts
   * milvusBackend({ address: '127.0.0.1:19530', index: { type: 'HNSW', M: 32, efConstruction: 256 } });
   * ```
   */
  index?: MilvusIndexOption;
  /**
   * HNSW search expansion when a search does not pass `params.ef`. Milvus needs `ef >= topK`, so
   * the adapter uses `max(ef, topK)`.
   * @default 64
   */
  defaultEf?: number;
  /**
   * Request limits to announce, merged over the defaults. The adapter also splits requests
   * itself so that no gRPC message nears Milvus's 64 MiB limit.
   * @default { maxPointsPerRequest: 2_000, maxBytesPerRequest: 16 MiB, maxTopK: 16_384, maxQueriesPerRequest: 1_000 }
   */
  capabilities?: Partial<BackendCapabilities>;
}

/** {@link MilvusBackendOptions} after validation. */
export interface ResolvedMilvusBackendOptions {
  /** `host:port`, as the SDK takes it. */
  readonly address: string;
  /** Whether TLS is on (`https:` addresses). */
  readonly ssl: boolean;
  /** `http://host:port` or `https://host:port`: the backend's endpoint in errors and metrics. */
  readonly endpoint: string;
  /** See {@link MilvusBackendOptions.token}. */
  readonly token: string | undefined;
  /** See {@link MilvusBackendOptions.database}. */
  readonly database: string | undefined;
  /** See {@link MilvusBackendOptions.timeoutMs}. */
  readonly timeoutMs: number;
  /** See {@link MilvusBackendOptions.consistencyLevel}. */
  readonly consistencyLevel: MilvusConsistencyLevel;
  /** See {@link MilvusBackendOptions.index}. */
  readonly index: Readonly<MilvusIndexOption> | undefined;
  /** See {@link MilvusBackendOptions.defaultEf}. */
  readonly defaultEf: number;
  /** The limits announced to the mesh. */
  readonly capabilities: BackendCapabilities;
}

/** Milvus's own limits that bound the adapter's options and requests. */
export const MILVUS_LIMITS = Object.freeze({
  /** Largest `limit` (topK) of one search, and largest `offset + limit` of one query. */
  maxTopK: 16_384,
  /** Largest vector dimension. */
  maxDimension: 32_768,
  /** Largest gRPC message Milvus accepts by default, in bytes. */
  maxMessageBytes: 64 * 1024 * 1024,
});

/** The limits a Milvus backend announces unless told otherwise. */
export const DEFAULT_MILVUS_CAPABILITIES: BackendCapabilities = Object.freeze({
  maxPointsPerRequest: 2_000,
  // A quarter of the gRPC limit: ids, field headers and JSON escaping add to the raw bytes.
  maxBytesPerRequest: 16 * 1024 * 1024,
  maxTopK: MILVUS_LIMITS.maxTopK,
  maxQueriesPerRequest: 1_000,
});

/** Milvus refuses more than these: a query's limit, a search's topK and nq, and a message. */
const CAPABILITY_MAX: CapabilityBounds = {
  maxPointsPerRequest: MILVUS_LIMITS.maxTopK - 1,
  maxBytesPerRequest: MILVUS_LIMITS.maxMessageBytes / 2,
  maxTopK: MILVUS_LIMITS.maxTopK,
  maxQueriesPerRequest: MILVUS_LIMITS.maxTopK,
};

const KEYS: readonly string[] = [
  'address',
  'token',
  'database',
  'timeoutMs',
  'consistencyLevel',
  'index',
  'defaultEf',
  'capabilities',
];

/**
 * Validates adapter options once.
 *
 * @param options - What the caller passed.
 * @returns Frozen resolved options.
 * @throws {@link InvalidOptionError} naming the first bad option: an `address` that is not
 *   `host:port` (optionally behind `http://` or `https://`); an empty `token` or `database`;
 *   `timeoutMs` outside 1..3,600,000; an unknown `consistencyLevel`; an `index` of another type
 *   or with `M` outside 2..2048 or `efConstruction` outside 1..65,535; `defaultEf` outside
 *   1..32,768; a capability that is not a positive integer or exceeds Milvus's limits; any
 *   unknown key.
 *
 * @example
 * ```ts
 * resolveMilvusOptions({ address: 'http://127.0.0.1:19530' }).address; // '127.0.0.1:19530'
 * ```
 */
export function resolveMilvusOptions(options: MilvusBackendOptions): ResolvedMilvusBackendOptions {
  const input = optionObject(options, 'options');
  rejectUnknownKeys(input, '', KEYS);
  const { address, ssl } = resolveAddress(input.address);
  return Object.freeze({
    address,
    ssl,
    endpoint: `${ssl ? 'https' : 'http'}://${address}`,
    token: optionString(input.token, 'token'),
    database: optionString(input.database, 'database'),
    timeoutMs: optionInteger(input.timeoutMs, 'timeoutMs', 30_000, 1, 3_600_000),
    consistencyLevel: optionChoice(
      input.consistencyLevel,
      'consistencyLevel',
      'Strong',
      MILVUS_CONSISTENCY_LEVELS,
    ),
    index: resolveIndex(input.index),
    defaultEf: optionInteger(input.defaultEf, 'defaultEf', 64, 1, 32_768),
    capabilities: resolveCapabilityOption(
      input.capabilities,
      DEFAULT_MILVUS_CAPABILITIES,
      CAPABILITY_MAX,
    ),
  });
}

function resolveAddress(value: unknown): { address: string; ssl: boolean } {
  const bad = (why: string): InvalidOptionError =>
    new InvalidOptionError(`\`address\` ${why}, received ${describeValue(value)}`);
  if (typeof value !== 'string') throw bad('must be a string such as 127.0.0.1:19530');
  const withScheme = /^[a-z]+:\/\//i.test(value) ? value : `http://${value}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw bad('must be host:port such as 127.0.0.1:19530');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw bad('must use http: or https: (or no scheme)');
  }
  if (parsed.port === '') throw bad('must name a port, e.g. 127.0.0.1:19530');
  if (
    (parsed.pathname !== '/' && parsed.pathname !== '') ||
    parsed.search !== '' ||
    parsed.hash !== '' ||
    parsed.username !== '' ||
    parsed.password !== ''
  ) {
    throw bad('must name only the server (host and port); pass credentials as `token`');
  }
  return { address: parsed.host, ssl: parsed.protocol === 'https:' };
}

function resolveIndex(value: unknown): Readonly<MilvusIndexOption> | undefined {
  if (value === undefined) return undefined;
  const index = optionObject(value, 'index');
  const type = index.type;
  if (type === 'AUTOINDEX' || type === 'FLAT') {
    rejectUnknownKeys(index, 'index', ['type']);
    return Object.freeze({ type });
  }
  if (type !== 'HNSW') {
    throw new InvalidOptionError(
      `\`index.type\` must be 'HNSW', 'AUTOINDEX' or 'FLAT', received ${describeValue(type)}`,
    );
  }
  rejectUnknownKeys(index, 'index', ['type', 'M', 'efConstruction']);
  return Object.freeze({
    type,
    M: optionInteger(index.M, 'index.M', 16, 2, 2048),
    efConstruction: optionInteger(index.efConstruction, 'index.efConstruction', 200, 1, 65_535),
  });
}
