/**
 * A test double of Qdrant's REST API: an HTTP server on 127.0.0.1 that records every request
 * (method, path, query, JSON body, headers) and answers with canned bodies in the shapes
 * Qdrant's OpenAPI document describes (`{ result, status: 'ok', time }`, errors as
 * `{ status: { error }, time }`). No Qdrant server can run where these tests run; the
 * conformance suite (`test/conformance/qdrant.test.ts`) covers a real one when `QDRANT_URL` is
 * set.
 *
 * @module
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';

/** One request as the server saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Query parameters; a repeated one keeps its last value. */
  readonly query: Record<string, string>;
  /** The parsed JSON body, or `undefined` when there was none. */
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
}

/** A canned answer. `hang` never answers (the socket is destroyed when the server stops). */
export type Reply =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  | { status?: number; text: string; headers?: Record<string, string> }
  | { hang: true };

/** Decides the answer to a request. */
export type Responder = (request: RecordedRequest) => Reply;

/** Qdrant's success envelope. */
export const ok = (result: unknown): Reply => ({
  json: { result, status: 'ok', time: 0.000_42 },
});

/** Qdrant's error envelope with an HTTP status. */
export const fail = (status: number, error: string): Reply => ({
  status,
  json: { status: { error }, time: 0.000_17 },
});

/** A running recording server. */
export interface RecordingServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Replaces the responder. */
  respond(responder: Responder): void;
  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void>;
  /** Stops the server and drops every open connection. */
  stop(): Promise<void>;
}

/**
 * Starts a recording server on a free loopback port.
 *
 * @param responder - The first responder; `respond()` replaces it.
 */
export async function startRecordingServer(responder: Responder): Promise<RecordingServer> {
  let current = responder;
  const requests: RecordedRequest[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
        headers: req.headers,
      };
      requests.push(recorded);
      for (const w of waiters.splice(0)) {
        if (requests.length >= w.count) w.resolve();
        else waiters.push(w);
      }
      answer(res, current(recorded));
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');

  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    respond(next) {
      current = next;
    },
    received(count) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

function answer(res: ServerResponse, reply: Reply): void {
  if ('hang' in reply) return;
  const isJson = 'json' in reply;
  const body = isJson ? JSON.stringify(reply.json) : reply.text;
  res.writeHead(reply.status ?? 200, {
    'content-type': isJson ? 'application/json' : 'text/plain',
    ...reply.headers,
  });
  res.end(body);
}
