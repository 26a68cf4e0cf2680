/**
 * The collection routes: create, drop, describe and list.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type {
  CreateCollectionAnswer,
  DescribeCollectionAnswer,
  DropCollectionAnswer,
  ListCollectionsAnswer,
} from '../../backends/reference/protocol.js';
import { collectionName, createSpec } from './collection-requests.js';
import type { NameParams, NodeContext } from './node-context.js';

/**
 * Registers `GET /collections`, `PUT /collections/:name`, `GET /collections/:name` and
 * `DELETE /collections/:name`.
 *
 * @param app - The fastify instance.
 * @param ctx - The store and metrics.
 *
 * @example
 * ```ts
 * registerCollectionRoutes(app, { store, metrics, isReady: () => true });
 * ```
 */
export function registerCollectionRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const { store } = ctx;

  app.get('/collections', (): ListCollectionsAnswer => {
    return { collections: [...store.listCollections()].sort() };
  });

  // Create: 201 when this request created it, 200 when it was there with the same dimension and
  // metric, 409 when it was there with others.
  app.put<{ Params: NameParams }>(
    '/collections/:name',
    async (request, reply): Promise<CreateCollectionAnswer> => {
      const name = collectionName(request.params.name);
      const spec = createSpec(request.body);
      const outcome = await store.createCollection(name, spec);
      void reply.status(outcome === 'created' ? 201 : 200);
      return { created: outcome === 'created' };
    },
  );

  app.get<{ Params: NameParams }>('/collections/:name', (request): DescribeCollectionAnswer =>
    store.describeCollection(collectionName(request.params.name)),
  );

  // Drop answers 200 either way: `dropped` says whether there was a collection.
  app.delete<{ Params: NameParams }>(
    '/collections/:name',
    async (request): Promise<DropCollectionAnswer> => {
      const name = collectionName(request.params.name);
      return { dropped: await store.dropCollection(name) };
    },
  );
}
