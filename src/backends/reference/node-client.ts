/**
 * One call to a reference node (a JSON or binary body, a JSON answer) over a keep-alive undici `Pool`, with the caller's
 * `AbortSignal`, header and body timeouts, and every failure classified.
 *
 * @module
 */
import { Pool } from 'undici';
import { BackendError, type ErrorMeta } from '../../core/errors.js';
import { BINARY_CONTENT_TYPE } from './binary-wire.js';
import { errorFromAnswer, transportError } from './wire-errors.js';

/** What a {@link NodeClient} needs to know. */
export interface NodeClientOptions {
  /** The node's origin, e.g. `http://127.0.0.1:7001`. */
  readonly origin: string;
  /** Sent as `authorization: Bearer <key>` when set. */
  readonly apiKey: string | undefined;
  /** Most keep-alive connections. */
  readonly connections: number;
  /** Header and body timeout of each call, in milliseconds. */
  readonly timeoutMs: number;
}

/** One HTTP call. */
export interface NodeCall {
  /** HTTP method. */
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path and query, already encoded, e.g. `/collections/docs/search`. */
  readonly path: string;
  /** A JSON body, when the call has one. */
  readonly body?: unknown;
  /** A binary body (`application/vnd.vecmesh.v1+binary`), sent instead of `body` when set. */
  readonly binary?: Uint8Array | undefined;
  /** Aborts the call. */
  readonly signal?: AbortSignal | undefined;
  /** Backend, operation and collection, for errors. */
  readonly meta: ErrorMeta;
}

/**
 * A pool of keep-alive connections to one node. Creating it does no I/O: connections open on the
 * first call.
 *
 * @example
 * ```ts
 * const client = new NodeClient({ origin: 'http://127.0.0.1:7001', apiKey: undefined, connections: 16, timeoutMs: 30_000 });
 * const { collections } = await client.call<{ collections: string[] }>({ method: 'GET', path: '/collections', meta: {} });
 * await client.close();
 * ```
 */
export class NodeClient {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;
  private readonly jsonHeaders: Record<string, string>;
  private readonly binaryHeaders: Record<string, string>;

  /** @param options - Origin, API key, connections and timeout. */
  constructor(private readonly options: NodeClientOptions) {
    this.pool = new Pool(options.origin, { connections: options.connections });
    this.headers =
      options.apiKey === undefined
        ? { accept: 'application/json' }
        : { accept: 'application/json', authorization: `Bearer ${options.apiKey}` };
    this.jsonHeaders = { ...this.headers, 'content-type': 'application/json' };
    this.binaryHeaders = { ...this.headers, 'content-type': BINARY_CONTENT_TYPE };
  }

  /**
   * Sends one call and parses its JSON answer.
   *
   * @param call - Method, path, body, signal and meta.
   * @returns The parsed answer of a 2xx response.
   * @throws The class the node's error answer names (`CollectionNotFoundError`,
   *   `InvalidVectorError`, ...), `UnavailableError` / `TimeoutError` for transport failures,
   *   `AbortedError` / `TimeoutError` when the signal aborts, `BackendError` for an answer
   *   that is not JSON.
   *
   * @example
   * ```ts
   * await client.call({ method: 'POST', path: '/collections/docs/points/count', body: {}, meta });
   * ```
   */
  async call<T>(call: NodeCall): Promise<T> {
    const { meta, signal } = call;
    let status: number;
    let text: string;
    try {
      const response = await this.pool.request({
        method: call.method,
        path: call.path,
        headers:
          call.binary !== undefined
            ? this.binaryHeaders
            : call.body === undefined
              ? this.headers
              : this.jsonHeaders,
        body:
          call.binary !== undefined
            ? call.binary
            : call.body === undefined
              ? null
              : JSON.stringify(call.body),
        signal: signal ?? null,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (err) {
      throw transportError(err, signal, meta);
    }
    if (status >= 400) throw errorFromAnswer(status, text, meta);
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new BackendError(
        `${this.options.origin} \`${meta.operation ?? 'call'}\`: the answer (HTTP ${status}) is not JSON`,
        { cause: err, meta },
      );
    }
  }

  /** Closes every connection once calls in flight have ended. Idempotent. */
  async close(): Promise<void> {
    if (!this.pool.closed) await this.pool.close();
  }
}
