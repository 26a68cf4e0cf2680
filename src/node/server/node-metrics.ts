/**
 * The node's own Prometheus metrics, kept in plain counters (no prom-client, no global
 * registry) and rendered in the text exposition format by `GET /metrics`.
 *
 * Labels come from a fixed set: the HTTP method, the route pattern (never the collection name
 * or any id) and the status code.
 *
 * @module
 */
import type { VectorStore } from '../store/store-contract.js';

/**
 * Counters one node keeps.
 *
 * @example
 * ```ts
 * const metrics = new NodeMetrics();
 * metrics.observeRequest('POST', '/collections/:name/search', 200, 0.0004);
 * metrics.render(store, true); // '# HELP vecmesh_node_http_requests_total ...'
 * ```
 */
export class NodeMetrics {
  private readonly startedAt = process.hrtime.bigint();
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, { sum: number; count: number }>();
  private pointsUpserted = 0;
  private pointsDeleted = 0;
  private searchQueries = 0;

  /**
   * Counts one answered request.
   *
   * @param method - HTTP method.
   * @param route - The route pattern, e.g. `/collections/:name/search`, or `unmatched`.
   * @param status - The status code sent.
   * @param seconds - Time from the request's arrival to the answer.
   */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${method}",route="${route}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const routeKey = `route="${route}"`;
    const d = this.durations.get(routeKey) ?? { sum: 0, count: 0 };
    d.sum += seconds;
    d.count++;
    this.durations.set(routeKey, d);
  }

  /** Counts points written by an acknowledged upsert. */
  addUpserted(points: number): void {
    this.pointsUpserted += points;
  }

  /** Counts ids of an acknowledged delete. */
  addDeleted(ids: number): void {
    this.pointsDeleted += ids;
  }

  /** Counts the query vectors of an answered search. */
  addQueries(queries: number): void {
    this.searchQueries += queries;
  }

  /**
   * Renders every metric in the Prometheus text format (version 0.0.4).
   *
   * @param store - Read for the collection and point gauges.
   * @param ready - Whether the node is ready to serve.
   * @returns The exposition text.
   *
   * @example
   * ```ts
   * reply.type('text/plain; version=0.0.4').send(metrics.render(store, true));
   * ```
   */
  render(store: VectorStore, ready: boolean): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: string[]): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
    };
    metric(
      'vecmesh_node_http_requests_total',
      'counter',
      'HTTP requests answered, by method, route and status.',
      [...this.requests].map(([labels, n]) => `vecmesh_node_http_requests_total{${labels}} ${n}`),
    );
    metric(
      'vecmesh_node_http_request_duration_seconds',
      'summary',
      'Time to answer HTTP requests, by route.',
      [...this.durations].flatMap(([labels, d]) => [
        `vecmesh_node_http_request_duration_seconds_sum{${labels}} ${d.sum}`,
        `vecmesh_node_http_request_duration_seconds_count{${labels}} ${d.count}`,
      ]),
    );
    metric('vecmesh_node_points_upserted_total', 'counter', 'Points written by upserts.', [
      `vecmesh_node_points_upserted_total ${this.pointsUpserted}`,
    ]);
    metric('vecmesh_node_points_deleted_total', 'counter', 'Ids sent to deletes.', [
      `vecmesh_node_points_deleted_total ${this.pointsDeleted}`,
    ]);
    metric('vecmesh_node_search_queries_total', 'counter', 'Query vectors searched.', [
      `vecmesh_node_search_queries_total ${this.searchQueries}`,
    ]);
    const { collections, points } = storeSize(store);
    metric('vecmesh_node_collections', 'gauge', 'Collections stored.', [
      `vecmesh_node_collections ${collections}`,
    ]);
    metric('vecmesh_node_points', 'gauge', 'Points stored, over every collection.', [
      `vecmesh_node_points ${points}`,
    ]);
    metric('vecmesh_node_ready', 'gauge', '1 when the node serves requests, 0 while it stops.', [
      `vecmesh_node_ready ${ready ? 1 : 0}`,
    ]);
    const uptime = Number(process.hrtime.bigint() - this.startedAt) / 1e9;
    metric('vecmesh_node_uptime_seconds', 'gauge', 'Seconds since the node started.', [
      `vecmesh_node_uptime_seconds ${uptime}`,
    ]);
    return `${lines.join('\n')}\n`;
  }
}

function storeSize(store: VectorStore): { collections: number; points: number } {
  let names: string[];
  try {
    names = store.listCollections();
  } catch {
    // The store is closed (the node is stopping): metrics still answer.
    return { collections: 0, points: 0 };
  }
  let points = 0;
  for (const name of names) {
    try {
      points += store.describeCollection(name).count;
    } catch {
      // Dropped between the list and the describe: it no longer counts.
    }
  }
  return { collections: names.length, points };
}
