/**
 * Starting and stopping a reference node in this process: open the store, build the server,
 * listen; and in reverse on close.
 *
 * @module
 */
import type { AddressInfo } from 'node:net';
import { openStore } from '../store/index.js';
import { buildNodeServer } from './build-server.js';
import { resolveNodeOptions, type NodeOptions } from './server-options.js';

/** A node that is listening. */
export interface RunningNode {
  /** Base URL of the node's API, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The TCP port it listens on (the one chosen when `port` was 0). */
  readonly port: number;
  /**
   * Stops the node: readiness turns to 503, the server stops accepting and lets requests in
   * flight finish, then the store is closed (flushed and snapshotted). Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Starts a reference node: opens its store (`dataDir`, or memory) and serves the HTTP API on
 * `host:port`.
 *
 * @param options - Port, host, data directory, API key, body limit, request timeouts, fsync,
 *   snapshot thresholds, logging.
 * @default options.host '127.0.0.1'
 * @default options.port 0 (a free port)
 * @returns The running node; call `close()` to stop it.
 * @throws `InvalidOptionError` for a bad option; the store's error when the data directory
 *   cannot be opened; the listen error (e.g. `EADDRINUSE`) when the port is taken (the store
 *   is closed again first).
 *
 * @example
 * ```ts
 * import { startNode, referenceBackend } from 'vecmesh/node';
 *
 * const node = await startNode({ port: 0, dataDir: './data' });
 * const backend = referenceBackend({ url: node.url });
 * // ...
 * await backend.close();
 * await node.close();
 * ```
 */
export async function startNode(options: NodeOptions = {}): Promise<RunningNode> {
  const resolved = resolveNodeOptions(options);
  const store = await openStore({
    ...(resolved.dataDir === undefined ? {} : { dir: resolved.dataDir }),
    fsync: resolved.fsync,
    snapshotEveryBytes: resolved.snapshotEveryBytes,
    snapshotMaxAgeMs: resolved.snapshotMaxAgeMs,
  });
  const server = buildNodeServer(store, {
    bodyLimitBytes: resolved.bodyLimitBytes,
    headersTimeoutMs: resolved.headersTimeoutMs,
    requestTimeoutMs: resolved.requestTimeoutMs,
    logger: resolved.logger,
    ...(resolved.apiKey === undefined ? {} : { apiKey: resolved.apiKey }),
  });
  try {
    await server.app.listen({ port: resolved.port, host: resolved.host });
  } catch (err) {
    await server.app.close().catch(() => undefined);
    await store.close();
    throw err;
  }
  const address = server.app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close() {
      closing ??= (async () => {
        server.setReady(false);
        try {
          await server.app.close();
        } finally {
          await store.close();
        }
      })();
      return closing;
    },
  };
}
