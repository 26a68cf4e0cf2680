/**
 * One call to Qdrant through `@qdrant/js-client-rest`'s generated REST API, with the caller's
 * `AbortSignal`, the adapter's own timeout, a keep-alive connection pool the adapter owns (and
 * closes), and every failure classified.
 *
 * The client's high-level methods take no `AbortSignal`, and its own timeout replaces any
 * signal passed down. So the adapter calls the generated API (`client.api()`), whose methods
 * take a `RequestInit`, turns the client's timeout off (`timeout: Infinity`) and passes
 * `signal` (the caller's signal or the timeout, whichever comes first) and `dispatcher` (its own
 * undici `Agent`) with every call.
 *
 * `@qdrant/js-client-rest` is an optional peer dependency: the client class comes in from the
 * backend, which loaded it; this module imports only its types.
 *
 * @module
 */
import type { QdrantClient } from '@qdrant/js-client-rest';
import { Agent } from 'undici';
import { BackendError, TimeoutError, type ErrorMeta } from '../../core/errors.js';
import { isPlainObject } from '../../core/payload.js';
import { abortError } from '../abort.js';
import { clientError } from './qdrant-errors.js';
import type { ResolvedQdrantBackendOptions } from './qdrant-options.js';

/** The generated REST API of `@qdrant/js-client-rest`. */
export type QdrantApi = ReturnType<QdrantClient['api']>;

/** What every generated method takes as its second argument. */
export type QdrantInit = NonNullable<Parameters<QdrantApi['getCollections']>[1]>;

/** One request: a call of the generated API with the given init (signal and dispatcher). */
export type QdrantRequest = (api: QdrantApi, init: QdrantInit) => Promise<{ data: unknown }>;

/**
 * Sends one request of a call whose meta and signal are bound, and answers the `result` of
 * Qdrant's answer. The backend hands one to the modules that make requests, so that each
 * request still goes through its lifecycle check and its handling of a missing collection.
 *
 * @example
 * ```ts
 * const count = await send<{ count: number }>((api, init) =>
 *   api.countPoints({ collection_name: 'docs', exact: true }, init));
 * ```
 */
export type QdrantSend = <T>(request: QdrantRequest) => Promise<T>;

/**
 * The REST client of one Qdrant server. Creating it does no I/O (no version check either:
 * `checkCompatibility: false`); connections open on the first call.
 *
 * @example
 * ```ts
 * const { QdrantClient } = loadOptional('@qdrant/js-client-rest', '`qdrantBackend()`');
 * const http = new QdrantHttp(resolveQdrantOptions({ url: 'http://127.0.0.1:6333' }), QdrantClient);
 * const names = await http.call(meta, undefined, (api, init) => api.getCollections({}, init));
 * await http.close();
 * ```
 */
export class QdrantHttp {
  private readonly api: QdrantApi;
  private readonly agent: Agent;
  private closed = false;

  /**
   * @param options - Origin, API key, connections and timeout.
   * @param clientClass - The client class of `@qdrant/js-client-rest`.
   */
  constructor(
    private readonly options: ResolvedQdrantBackendOptions,
    clientClass: typeof QdrantClient,
  ) {
    const client = new clientClass({
      url: options.origin,
      checkCompatibility: false,
      // Off: its timeout would replace the caller's signal (see the module comment).
      timeout: Number.POSITIVE_INFINITY,
      // As a header rather than `apiKey`, which makes the client print a console warning for
      // http: URLs; plain http on a private network is the operator's choice.
      ...(options.apiKey === undefined ? {} : { headers: { 'api-key': options.apiKey } }),
    });
    this.api = client.api();
    this.agent = new Agent({ connections: options.connections, keepAliveTimeout: 10_000 });
  }

  /**
   * Sends one request and returns the `result` of Qdrant's answer `{ result, status, time }`.
   *
   * @param meta - Backend, operation and collection, for errors.
   * @param signal - The caller's signal, if any.
   * @param send - Makes the request with the given API and init (signal and dispatcher).
   * @returns The answer's `result`.
   * @throws `AbortedError` / `TimeoutError` when `signal` aborts, `TimeoutError` after
   *   `timeoutMs`, and the classes of `./qdrant-errors.ts` for error answers and transport
   *   failures; `BackendError` for an answer without `result`.
   *
   * @example
   * ```ts
   * const count = await http.call<{ count: number }>(meta, signal, (api, init) =>
   *   api.countPoints({ collection_name: 'docs', exact: true }, init));
   * ```
   */
  async call<T>(meta: ErrorMeta, signal: AbortSignal | undefined, send: QdrantRequest): Promise<T> {
    const timer = new AbortController();
    const timeout = setTimeout(() => {
      timer.abort();
    }, this.options.timeoutMs);
    const combined = signal === undefined ? timer.signal : AbortSignal.any([signal, timer.signal]);
    const init = {
      signal: combined,
      dispatcher: this.agent as unknown as QdrantInit['dispatcher'],
    } as QdrantInit;
    let data: unknown;
    try {
      data = (await send(this.api, init)).data;
    } catch (err) {
      if (signal?.aborted === true) throw abortError(signal, this.options.origin, meta);
      if (timer.signal.aborted) {
        throw new TimeoutError(
          `${this.options.origin} \`${meta.operation ?? 'call'}\`: no answer within ${this.options.timeoutMs} ms (\`timeoutMs\`)`,
          { cause: err, meta },
        );
      }
      throw clientError(err, meta);
    } finally {
      clearTimeout(timeout);
    }
    if (!isPlainObject(data) || !('result' in data)) {
      throw new BackendError(
        `${this.options.origin} \`${meta.operation ?? 'call'}\`: the answer has no \`result\``,
        { meta, retryable: false },
      );
    }
    return data.result as T;
  }

  /**
   * Sends a probe whose answer is text (`GET /readyz`).
   *
   * @param meta - Backend and operation, for errors.
   * @param signal - The caller's signal, if any.
   * @throws Like {@link QdrantHttp.call}, without the `result` check.
   */
  async probe(meta: ErrorMeta, signal: AbortSignal | undefined): Promise<void> {
    await this.call(meta, signal, async (api, init) => {
      await api.readyz({}, init);
      return { data: { result: true } };
    });
  }

  /** Closes every connection once calls in flight have ended. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.agent.close();
  }
}
