/**
 * The point routes: upsert, delete, get, count, batched search and the id scan.
 *
 * Search and upsert take a JSON body or a binary one (`application/vnd.vecmesh.v1+binary`, see
 * `binary-body.ts`); every other route takes JSON.
 *
 * Each route checks the collection exists (404 otherwise), validates the whole request against
 * the collection's spec (400 naming the first bad field), and only then calls the store, so a
 * rejected request leaves nothing behind.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type {
  CountAnswer,
  DeleteAnswer,
  GetAnswer,
  ScanIdsAnswer,
  SearchAnswer,
  UpsertAnswer,
} from '../../backends/reference/protocol.js';
import type { CollectionSpec } from '../../core/types.js';
import { BinaryVectorBody } from './binary-body.js';
import { binarySearchRequest, binaryUpsertPoints } from './binary-requests.js';
import { collectionName } from './collection-requests.js';
import type { NameParams, NodeContext } from './node-context.js';
import { countFilter, deleteIds, getRequest, upsertPoints } from './point-requests.js';
import { scanRequest, searchRequest } from './search-requests.js';

/** The routes that accept binary bodies, as fastify patterns. */
export const BINARY_ROUTES: readonly string[] = [
  '/collections/:name/points/upsert',
  '/collections/:name/search',
];

/**
 * Registers the `POST /collections/:name/points/{upsert,delete,get,count}`,
 * `POST /collections/:name/search` and `GET /collections/:name/ids` routes.
 *
 * @param app - The fastify instance.
 * @param ctx - The store and metrics.
 *
 * @example
 * ```ts
 * registerPointRoutes(app, { store, metrics, isReady: () => true });
 * ```
 */
export function registerPointRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const { store, metrics } = ctx;
  /** The collection's spec; throws `CollectionNotFoundError` (404) when it does not exist. */
  const specOf = (params: NameParams): CollectionSpec & { name: string } => {
    const name = collectionName(params.name);
    const info = store.describeCollection(name);
    return { name, dimension: info.dimension, metric: info.metric };
  };

  app.post<{ Params: NameParams }>(
    '/collections/:name/points/upsert',
    async (request): Promise<UpsertAnswer> => {
      const spec = specOf(request.params);
      const body = request.body;
      const points =
        body instanceof BinaryVectorBody
          ? binaryUpsertPoints(body, spec)
          : upsertPoints(body, spec);
      if (points.length > 0) await store.upsert(spec.name, points);
      metrics.addUpserted(points.length);
      return { upserted: points.length };
    },
  );

  app.post<{ Params: NameParams }>(
    '/collections/:name/points/delete',
    async (request): Promise<DeleteAnswer> => {
      const { name } = specOf(request.params);
      const ids = deleteIds(request.body);
      if (ids.length > 0) await store.delete(name, ids);
      metrics.addDeleted(ids.length);
      return { deleted: ids.length };
    },
  );

  app.post<{ Params: NameParams }>('/collections/:name/points/get', (request): GetAnswer => {
    const { name } = specOf(request.params);
    const { ids, includeVector } = getRequest(request.body);
    return { points: ids.length === 0 ? [] : store.get(name, ids, includeVector) };
  });

  app.post<{ Params: NameParams }>('/collections/:name/points/count', (request): CountAnswer => {
    const { name } = specOf(request.params);
    return { count: store.count(name, countFilter(request.body)) };
  });

  app.post<{ Params: NameParams }>('/collections/:name/search', (request): SearchAnswer => {
    const spec = specOf(request.params);
    const body = request.body;
    const search =
      body instanceof BinaryVectorBody
        ? binarySearchRequest(body, spec)
        : searchRequest(body, spec);
    const hits = store.search(spec.name, search);
    metrics.addQueries(search.vectors.length);
    return { hits };
  });

  app.get<{ Params: NameParams }>('/collections/:name/ids', (request): ScanIdsAnswer => {
    const { name } = specOf(request.params);
    const { cursor, limit } = scanRequest(request.query);
    const page = store.scanIds(name, cursor, limit);
    return page.nextCursor === undefined
      ? { ids: page.ids }
      : { ids: page.ids, nextCursor: page.nextCursor };
  });
}
