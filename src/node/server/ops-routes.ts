/**
 * The operational routes: liveness, readiness and metrics, plus the answer to unknown routes.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { ProbeAnswer } from '../../backends/reference/protocol.js';
import { NO_ROUTE_CODE, errorBody } from './http-errors.js';
import type { NodeContext } from './node-context.js';

/** The content type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Registers `GET /healthz` (200 while the process serves HTTP), `GET /readyz` (200 while the
 * store is open, 503 once the node has begun to stop), `GET /metrics` (Prometheus text), the
 * 404 answer for unknown routes, and the hook that counts every answered request.
 *
 * @param app - The fastify instance.
 * @param ctx - The store, metrics and readiness.
 *
 * @example
 * ```ts
 * registerOpsRoutes(app, { store, metrics, isReady: () => true });
 * ```
 */
export function registerOpsRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const { store, metrics, isReady } = ctx;

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  app.get('/healthz', (): ProbeAnswer => ({ ok: true }));

  app.get('/readyz', (_request, reply): ProbeAnswer => {
    const ready = isReady();
    void reply.status(ready ? 200 : 503);
    return { ok: ready };
  });

  app.get('/metrics', (_request, reply) => {
    void reply.type(PROMETHEUS_CONTENT_TYPE);
    return metrics.render(store, isReady());
  });

  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(
        errorBody(
          NO_ROUTE_CODE,
          `no route ${request.method} ${(request.url.split('?', 1)[0] ?? '').slice(0, 200)}; see docs/reference-node-api.md`,
        ),
      );
  });
}
