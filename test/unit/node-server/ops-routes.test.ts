/**
 * The operational routes of the reference node: liveness, readiness and metrics.
 */
import { describe, expect, it } from 'vitest';
import { PROMETHEUS_CONTENT_TYPE } from '../../../src/node/server/ops-routes.js';
import { createCollection, send, useNode } from './node-fixture.js';

describe('node server: operations', () => {
  const node = useNode();

  it('healthz and readyz answer ok', async () => {
    const { app } = node();
    expect(await send(app, 'GET', '/healthz')).toMatchObject({ status: 200, body: { ok: true } });
    expect(await send(app, 'GET', '/readyz')).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('readyz answers 503 once the node is not ready, healthz still 200', async () => {
    const { app, server } = node();
    server.setReady(false);
    expect(await send(app, 'GET', '/readyz')).toMatchObject({ status: 503, body: { ok: false } });
    expect((await send(app, 'GET', '/healthz')).status).toBe(200);
    server.setReady(true);
    expect((await send(app, 'GET', '/readyz')).status).toBe(200);
  });

  it('metrics are Prometheus text with request, point and store figures', async () => {
    const { app } = node();
    await createCollection(app, 'docs', { dimension: 2, metric: 'l2' });
    await send(app, 'POST', '/collections/docs/points/upsert', {
      points: [
        { id: 'a', vector: [1, 2] },
        { id: 'b', vector: [2, 1] },
      ],
    });
    await send(app, 'POST', '/collections/docs/search', {
      vectors: [
        [1, 1],
        [0, 1],
      ],
      topK: 1,
    });
    await send(app, 'POST', '/collections/docs/points/delete', { ids: ['a'] });
    await send(app, 'GET', '/collections/missing');
    const answer = await send(app, 'GET', '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.raw.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
    const text = answer.body as string;
    expect(text).toContain('# TYPE vecmesh_node_http_requests_total counter');
    expect(text).toContain(
      'vecmesh_node_http_requests_total{method="PUT",route="/collections/:name",status="201"} 1',
    );
    expect(text).toContain(
      'vecmesh_node_http_requests_total{method="GET",route="/collections/:name",status="404"} 1',
    );
    expect(text).toMatch(
      /vecmesh_node_http_request_duration_seconds_count\{route="\/collections\/:name\/search"\} 1/,
    );
    expect(text).toContain('vecmesh_node_points_upserted_total 2');
    expect(text).toContain('vecmesh_node_points_deleted_total 1');
    expect(text).toContain('vecmesh_node_search_queries_total 2');
    expect(text).toContain('vecmesh_node_collections 1');
    expect(text).toContain('vecmesh_node_points 1');
    expect(text).toContain('vecmesh_node_ready 1');
    expect(text).toMatch(/vecmesh_node_uptime_seconds \d/);
    // No collection names or ids in labels.
    expect(text).not.toContain('missing');
    expect(text).not.toMatch(/route="\/collections\/docs/);
  });
});
