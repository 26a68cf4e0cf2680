/**
 * Why a server could not be reached, in a few words. Adapters turn a transport failure into
 * `cannot reach <Server> at <address>: <why>` so that a user reads "connection refused" rather
 * than a gRPC status dump or `fetch failed`; the original error stays the `cause`.
 *
 * Node and undici put a system code on the error or on its `cause` (`ECONNREFUSED`,
 * `UND_ERR_SOCKET`); `@grpc/grpc-js` only writes it into the text of its `details`
 * (`No connection established. Last error: Error: connect ECONNREFUSED ...`), so both the codes
 * and the texts are read.
 *
 * @module
 */

/** Connection-level failure codes and what they mean, in the words a message uses. */
const REASONS: ReadonlyMap<string, string> = new Map([
  ['ECONNREFUSED', 'connection refused'],
  ['ECONNRESET', 'connection reset'],
  ['ECONNABORTED', 'connection aborted'],
  ['EPIPE', 'connection closed'],
  ['EHOSTUNREACH', 'host unreachable'],
  ['EHOSTDOWN', 'host down'],
  ['ENETUNREACH', 'network unreachable'],
  ['ENETDOWN', 'network down'],
  ['ENOTFOUND', 'host name not found'],
  ['EAI_AGAIN', 'host name lookup failed (temporary DNS failure)'],
  ['ETIMEDOUT', 'connection timed out'],
  ['UND_ERR_CONNECT_TIMEOUT', 'connection timed out'],
  ['UND_ERR_SOCKET', 'connection closed by the server'],
]);

const CODE_IN_TEXT = new RegExp(`\\b(${[...REASONS.keys()].join('|')})\\b`);

// What @grpc/grpc-js writes when it has no system code to quote.
const GRPC_TEXTS: readonly (readonly [RegExp, string])[] = [
  [/Name resolution failed/i, 'host name not found'],
  [/Failed to connect/i, 'connection failed'],
  [/Connection dropped/i, 'connection dropped'],
  [/No connection established/i, 'no connection established'],
];

// fetch -> AggregateError -> system error is three levels; more would only be a cycle.
const MAX_DEPTH = 4;

/**
 * The reason a transport error says the server could not be reached, or `undefined` when it
 * is not such an error (an HTTP or gRPC answer, a timeout after connecting, a bug).
 *
 * @param error - What the client library threw; its `cause` chain and an `AggregateError`'s
 *   `errors` are read too.
 * @returns A short lowercase reason such as `connection refused` or `host name not found`.
 *
 * @example
 * ```ts
 * connectionFailure(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
 * // 'connection refused'
 * connectionFailure({ code: 14, details: 'Name resolution failed for target dns:db:19530' });
 * // 'host name not found'
 * connectionFailure(new Error('boom')); // undefined
 * ```
 */
export function connectionFailure(error: unknown): string | undefined {
  return byCode(error, 0) ?? byText(error, 0);
}

function byCode(error: unknown, depth: number): string | undefined {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH) return undefined;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') {
    const reason = REASONS.get(e.code);
    if (reason !== undefined) return reason;
  }
  const nested = Array.isArray(e.errors) ? [e.cause, ...(e.errors as unknown[])] : [e.cause];
  for (const inner of nested) {
    const reason = byCode(inner, depth + 1);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

function byText(error: unknown, depth: number): string | undefined {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH) return undefined;
  const e = error as { details?: unknown; message?: unknown; cause?: unknown };
  for (const text of [e.details, e.message]) {
    if (typeof text !== 'string') continue;
    const code = CODE_IN_TEXT.exec(text)?.[1];
    if (code !== undefined) return REASONS.get(code);
    const known = GRPC_TEXTS.find(([pattern]) => pattern.test(text));
    if (known !== undefined) return known[1];
  }
  return byText(e.cause, depth + 1);
}

/**
 * The address to name in a message: the endpoint without its `http://` scheme (Milvus users
 * write `host:port`).
 *
 * @param endpoint - An adapter's endpoint such as `http://127.0.0.1:19530`.
 * @returns `127.0.0.1:19530`; `https://` endpoints keep their scheme, so that TLS shows.
 *
 * @example
 * ```ts
 * hostPort('http://127.0.0.1:19530'); // '127.0.0.1:19530'
 * ```
 */
export function hostPort(endpoint: string): string {
  return endpoint.startsWith('http://') ? endpoint.slice('http://'.length) : endpoint;
}
