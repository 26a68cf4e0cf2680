/**
 * Assembles a reference node's fastify server around a store, without listening: `startNode`
 * listens on it, and the unit tests drive it with `inject` (no sockets).
 *
 * @module
 */
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { VectorStore } from '../store/store-contract.js';
import { apiKeyHook } from './api-key.js';
import { installBinaryBodyParser } from './binary-body.js';
import { registerCollectionRoutes } from './collection-routes.js';
import { clientErrorHandler, errorHandler } from './http-errors.js';
import { installJsonBodyParser } from './json-body.js';
import { NodeMetrics } from './node-metrics.js';
import { registerOpsRoutes } from './ops-routes.js';
import { BINARY_ROUTES, registerPointRoutes } from './point-routes.js';
import { DEFAULT_BODY_LIMIT_BYTES, resolveRequestTimeouts } from './server-options.js';

/** Options of {@link buildNodeServer}. */
export interface NodeServerOptions {
  /**
   * Required on every request but the probes; see `NodeOptions.apiKey`.
   * @default undefined (no authentication)
   */
  apiKey?: string;
  /**
   * Largest request body, in bytes (413 beyond).
   * @default 67108864 (64 MiB)
   */
  bodyLimitBytes?: number;
  /**
   * Time a client has to send a request's headers, in ms (408 and the connection closed
   * beyond); see `NodeOptions.headersTimeoutMs`.
   * @default 10000, or `requestTimeoutMs` when that is lower
   */
  headersTimeoutMs?: number;
  /**
   * Time a client has to send a whole request, headers and body, in ms (408 and the
   * connection closed beyond); see `NodeOptions.requestTimeoutMs`.
   * @default 30000
   */
  requestTimeoutMs?: number;
  /**
   * Log requests through fastify's logger, as JSON lines on stderr.
   * @default false
   */
  logger?: boolean;
}

/** A server that is built but not listening. */
export interface NodeServer {
  /** The fastify instance: `listen()` it, or `inject()` requests into it. */
  readonly app: FastifyInstance;
  /** The node's counters. */
  readonly metrics: NodeMetrics;
  /** Marks the node ready or not (`GET /readyz` answers 503 when not). Starts ready. */
  setReady(ready: boolean): void;
}

/** Route parameters longer than this get 404 from the router; collection names are <= 255. */
const MAX_PARAM_LENGTH = 1024;

/**
 * How often Node checks connections for the headers and request timeouts: a tenth of the
 * shorter one, within these bounds. Node's default (30 s) would let a 10 s timeout fire at 40 s.
 */
const MIN_TIMEOUT_CHECK_MS = 10;
const MAX_TIMEOUT_CHECK_MS = 1000;

/**
 * Builds the HTTP server of a reference node. It validates every request before the store sees
 * it, answers errors as `{ error: { code, message } }`, and keeps serving after any bad request.
 *
 * A client that sends its headers or its body too slowly (`headersTimeoutMs`,
 * `requestTimeoutMs`) gets 408 with the node's error body, and its connection is closed; these
 * apply to real connections only, not to `inject()`.
 *
 * @param store - An open store; the server does not close it.
 * @param options - API key, body limit, request timeouts and logging.
 * @returns The server, ready to `listen()` or `inject()`.
 * @throws `InvalidOptionError` for a timeout out of range, or a headers timeout longer than the
 *   request timeout.
 *
 * @example
 * ```ts
 * const store = await openStore({});
 * const { app } = buildNodeServer(store, { apiKey: 'k' });
 * const res = await app.inject({ method: 'GET', url: '/collections', headers: { 'x-api-key': 'k' } });
 * ```
 */
export function buildNodeServer(store: VectorStore, options: NodeServerOptions = {}): NodeServer {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const { headersTimeoutMs, requestTimeoutMs } = resolveRequestTimeouts({
    headersTimeoutMs: options.headersTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
  });
  // Connections whose request was answered before its body was read (401, 413, 415, ...): a
  // timeout while the rest of that body trickles in closes them without a second answer.
  const answeredEarly = new WeakSet<Socket>();
  const app = Fastify({
    bodyLimit,
    // Node answers a request not received in time through `clientErrorHandler` (408). Fastify
    // sets the server's `requestTimeout` from its own option, the rest comes through `http`.
    requestTimeout: requestTimeoutMs,
    http: {
      headersTimeout: headersTimeoutMs,
      connectionsCheckingInterval: Math.min(
        MAX_TIMEOUT_CHECK_MS,
        Math.max(MIN_TIMEOUT_CHECK_MS, Math.floor(headersTimeoutMs / 10)),
      ),
    },
    clientErrorHandler: clientErrorHandler(headersTimeoutMs, requestTimeoutMs, (socket) =>
      answeredEarly.has(socket),
    ),
    // Logs go to stderr, so that stdout stays free for `vecmesh node`'s JSON events.
    logger: options.logger === true ? { level: 'info', stream: process.stderr } : false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, ignoreTrailingSlash: true },
    // Fastify's defaults, stated: a body with `__proto__` or `constructor.prototype` is refused.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // While closing, answer new requests with 503 so that clients move to another replica.
    return503OnClosing: true,
  });
  const metrics = new NodeMetrics();
  let ready = true;
  const ctx = { store, metrics, isReady: () => ready };

  app.addHook('onRequest', (request, _reply, done) => {
    answeredEarly.delete(request.raw.socket);
    done();
  });
  app.addHook('onResponse', (request, _reply, done) => {
    if (!request.raw.complete) answeredEarly.add(request.raw.socket);
    done();
  });
  installJsonBodyParser(app);
  installBinaryBodyParser(app, BINARY_ROUTES);
  app.setErrorHandler(errorHandler(bodyLimit));
  if (options.apiKey !== undefined) app.addHook('onRequest', apiKeyHook(options.apiKey));
  registerOpsRoutes(app, ctx);
  registerCollectionRoutes(app, ctx);
  registerPointRoutes(app, ctx);

  return {
    app,
    metrics,
    setReady(value) {
      ready = value;
    },
  };
}
