/**
 * How the node reports errors on the wire: every error answer is
 * `{ "error": { "code": "VECMESH_ERR_*", "message": "..." } }` with an HTTP status chosen from
 * the code, so that a client can rebuild the same `VecmeshError` class from either.
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  AbortedError,
  BackendError,
  ClosedError,
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
  RateLimitedError,
  TimeoutError,
  UnavailableError,
  VecmeshError,
} from '../../core/errors.js';

/** The body of every error answer. */
export interface ErrorBody {
  /** The error. */
  readonly error: {
    /** A `VECMESH_ERR_*` code. */
    readonly code: string;
    /** What went wrong, naming the input and what was received. */
    readonly message: string;
  };
}

const INVALID_ARGUMENT_CODE = 'VECMESH_ERR_INVALID_ARGUMENT';

/** The wire code of a request without a valid API key (answered with 401). */
export const UNAUTHORIZED_CODE = 'VECMESH_ERR_UNAUTHORIZED';

/** The wire code of a request for a route the node does not have (answered with 404). */
export const NO_ROUTE_CODE = 'VECMESH_ERR_NO_ROUTE';

// Order matters: subclasses before the classes they extend.
const STATUS_BY_CLASS: readonly [abstract new (...args: never[]) => VecmeshError, number][] = [
  [InvalidArgumentError, 400],
  [CollectionNotFoundError, 404],
  [CollectionConflictError, 409],
  [RateLimitedError, 429],
  [TimeoutError, 504],
  [UnavailableError, 503],
  [ClosedError, 503],
  [AbortedError, 499],
  [BackendError, 500],
];

/**
 * The HTTP status that carries a vecmesh error: 400 for invalid input, 404 for a missing
 * collection, 409 for a conflict, 503 when the node is closing, 500 otherwise.
 *
 * @param error - The error.
 * @returns The status.
 *
 * @example
 * ```ts
 * statusOf(new CollectionNotFoundError('no `docs`')); // 404
 * statusOf(new InvalidVectorError('bad'));           // 400
 * ```
 */
export function statusOf(error: VecmeshError): number {
  return STATUS_BY_CLASS.find(([ctor]) => error instanceof ctor)?.[1] ?? 500;
}

/**
 * Builds an error body.
 *
 * @param code - A `VECMESH_ERR_*` code.
 * @param message - The message.
 * @returns The body.
 *
 * @example
 * ```ts
 * errorBody('VECMESH_ERR_INVALID_ARGUMENT', '`topK` must be ...');
 * ```
 */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Fastify's own errors (body parsing, limits), by code, as a status and a clearer message. */
const FASTIFY_ERRORS: Readonly<Record<string, { status: number; message?: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    message:
      'the request body must be JSON with `content-type: application/json` (search and upsert also take `application/vnd.vecmesh.v1+binary`)',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400 },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400 },
};

/**
 * The error handler of the node: vecmesh errors keep their code; fastify's body errors become
 * 400, 413 or 415 with `VECMESH_ERR_INVALID_ARGUMENT`; anything else is a 500 with
 * `VECMESH_ERR_BACKEND` (and is logged when logging is on).
 *
 * @param limitBytes - The body limit, quoted in 413 messages.
 * @returns A handler for `fastify.setErrorHandler`.
 *
 * @example
 * ```ts
 * app.setErrorHandler(errorHandler(64 << 20));
 * ```
 */
export function errorHandler(
  limitBytes: number,
): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  return (error, request, reply) => {
    if (error instanceof VecmeshError) {
      return reply.status(statusOf(error)).send(errorBody(error.code, error.message));
    }
    const known = typeof error.code === 'string' ? FASTIFY_ERRORS[error.code] : undefined;
    if (known !== undefined) {
      const message =
        known.status === 413
          ? `the request body is larger than the node's limit of ${limitBytes} bytes`
          : (known.message ?? error.message);
      return reply.status(known.status).send(errorBody(INVALID_ARGUMENT_CODE, message));
    }
    const status = error.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.status(status).send(errorBody(INVALID_ARGUMENT_CODE, error.message));
    }
    request.log.error({ err: error }, 'request failed');
    return reply
      .status(500)
      .send(errorBody('VECMESH_ERR_BACKEND', `the node failed: ${error.message}`));
  };
}

/** The wire code of a request the node did not receive in time (answered with 408). */
export const REQUEST_TIMEOUT_CODE = 'VECMESH_ERR_TIMEOUT';

/**
 * The handler of errors on a connection before fastify sees a request (the server's
 * `clientError` event): a request whose headers or whole body did not arrive in time
 * (`ERR_HTTP_REQUEST_TIMEOUT`, raised by Node's `headersTimeout` and `requestTimeout`) gets 408,
 * headers over Node's limit 431, a request that does not parse 400; each with the node's error
 * body and `connection: close`, and the connection is closed. Nothing is written when the
 * connection is gone, or an answer to the request has started or was sent already (the node
 * may answer before it reads a body, e.g. 401 or 415): a second answer would corrupt it.
 *
 * @param headersTimeoutMs - The headers timeout, quoted in the 408 message.
 * @param requestTimeoutMs - The whole-request timeout, quoted in the 408 message.
 * @param answered - Whether the request in progress on a connection was answered already.
 * @default answered never
 * @returns A handler for fastify's `clientErrorHandler` option.
 * @throws Never.
 *
 * @example
 * ```ts
 * Fastify({ clientErrorHandler: clientErrorHandler(10_000, 30_000) });
 * ```
 */
export function clientErrorHandler(
  headersTimeoutMs: number,
  requestTimeoutMs: number,
  answered: (socket: Socket) => boolean = () => false,
): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    let status: number;
    let message: string;
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = 408;
      message = `the request did not arrive in time: its headers must arrive within ${headersTimeoutMs} ms and all of it within ${requestTimeoutMs} ms; the connection is closed`;
    } else if (error.code === 'HPE_HEADER_OVERFLOW') {
      status = 431;
      message = 'the request headers are larger than the node accepts';
    } else {
      status = 400;
      message = 'the request is not valid HTTP';
    }
    const code = status === 408 ? REQUEST_TIMEOUT_CODE : INVALID_ARGUMENT_CODE;
    // Node's own rule: an answer in flight on this connection (`_httpMessage`, Node's internal
    // link from a socket to its response) that has sent its headers must not be interleaved.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (!socket.writable || inFlight?.headersSent === true || answered(socket)) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(errorBody(code, message));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    // Closed once the answer is flushed (`destroy()` right away could drop it).
    socket.destroySoon();
  };
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};
