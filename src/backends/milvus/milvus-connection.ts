/**
 * The SDK client of one Milvus backend and its handshake. The SDK starts connecting in its
 * constructor and keeps the handshake as a promise that rejects when the server is unreachable;
 * this module makes sure that promise always has a handler (so an unreachable address never
 * becomes an unhandled rejection) and starts a new handshake when the last one failed.
 *
 * The SDK is an optional peer dependency: the client class comes in from the backend, which
 * loaded the SDK, and this module imports only its types.
 *
 * @module
 */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import type { ErrorMeta } from '../../core/errors.js';
import { callMilvus } from './milvus-call.js';
import type { ResolvedMilvusBackendOptions } from './milvus-options.js';

/**
 * The SDK client of one backend, created on first use, and its handshake.
 *
 * @example
 * ```ts
 * const { MilvusClient } = loadOptional('@zilliz/milvus2-sdk-node', '`milvusBackend()`');
 * const options = resolveMilvusOptions({ address: '127.0.0.1:19530' });
 * const connection = new MilvusConnection(options, MilvusClient);
 * const client = connection.client();
 * await connection.ready(client, signal, meta);
 * await connection.close();
 * ```
 */
export class MilvusConnection {
  private sdk: MilvusClient | undefined;
  // Whether the SDK's handshake succeeded once; until it does, each call tries it again.
  private handshake: Promise<void> | undefined;

  /**
   * @param options - Address, TLS, credentials, database and timeout of the client.
   * @param clientClass - The SDK's client class (constructed on first use only).
   */
  constructor(
    private readonly options: ResolvedMilvusBackendOptions,
    private readonly clientClass: typeof MilvusClient,
  ) {}

  /** The client when one was created and not closed since. */
  get current(): MilvusClient | undefined {
    return this.sdk;
  }

  /** The SDK client, created on first use (the SDK starts connecting in its constructor). */
  client(): MilvusClient {
    if (this.sdk !== undefined) return this.sdk;
    const o = this.options;
    const client = new this.clientClass({
      address: o.address,
      ssl: o.ssl,
      ...(o.token === undefined ? {} : { token: o.token }),
      ...(o.database === undefined ? {} : { database: o.database }),
      timeout: o.timeoutMs,
      // The mesh retries, on this replica or another; the SDK must not hide failures.
      maxRetries: 0,
      logLevel: 'error',
    });
    // The handshake the constructor started rejects when the server is unreachable: watch it
    // before anything else can happen (watchHandshake attaches the handler; the promise is kept).
    void this.watchHandshake(client);
    this.sdk = client;
    return client;
  }

  /**
   * Waits for the SDK's handshake; starts it again when the last one failed.
   *
   * @param client - The client the call uses.
   * @param signal - The call's signal, if any.
   * @param meta - The call's meta, for errors.
   * @throws `UnavailableError` when the server does not answer; `AbortedError` or
   *   `TimeoutError` when the signal aborts first.
   */
  async ready(
    client: MilvusClient,
    signal: AbortSignal | undefined,
    meta: ErrorMeta,
  ): Promise<void> {
    let attempt = this.handshake;
    if (attempt === undefined) {
      client.connect(this.clientClass.sdkInfo.version);
      attempt = this.watchHandshake(client);
    }
    const pending = attempt;
    await callMilvus(() => pending, signal, meta);
  }

  /** Closes the client, if there is one. Idempotent. */
  async close(): Promise<void> {
    const client = this.sdk;
    this.sdk = undefined;
    if (client === undefined) return;
    try {
      await client.closeConnection();
    } catch {
      // Closing a channel that never connected may fail; there is nothing left to free.
    }
  }

  /**
   * Keeps the SDK's current handshake, with a handler attached at once so that its failure (an
   * unreachable address) never becomes an unhandled rejection; a failed one is forgotten, so
   * that the next call tries again.
   */
  private watchHandshake(client: MilvusClient): Promise<void> {
    const attempt = client.connectPromise.then(() => undefined);
    this.handshake = attempt;
    attempt.catch(() => {
      if (this.handshake === attempt) this.handshake = undefined;
    });
    return attempt;
  }
}
