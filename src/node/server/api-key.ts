/**
 * The node's optional API key: checked before the body is read, in constant time.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UNAUTHORIZED_CODE, errorBody } from './http-errors.js';

/** Routes that answer without a key, so that probes need no secret. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

/** Hashing both sides gives equal-length buffers, so the comparison leaks neither content nor length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * The key a request carries: `authorization: Bearer <key>` or `x-api-key: <key>`.
 *
 * @param request - The request.
 * @returns The key, or `undefined` when the request carries none.
 *
 * @example
 * ```ts
 * presentedKey(request); // 's3cret' for `authorization: Bearer s3cret`
 * ```
 */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header;
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && /^bearer /i.test(auth)) return auth.slice(7).trim();
  return undefined;
}

/**
 * An `onRequest` hook that answers 401 unless the request carries the key. Open paths
 * ({@link OPEN_PATHS}) pass without one.
 *
 * @param apiKey - The key the node was started with.
 * @returns The hook.
 *
 * @example
 * ```ts
 * if (options.apiKey !== undefined) app.addHook('onRequest', apiKeyHook(options.apiKey));
 * ```
 */
export function apiKeyHook(
  apiKey: string,
): (request: FastifyRequest, reply: FastifyReply, done: () => void) => void {
  const expected = digest(apiKey);
  return (request, reply, done) => {
    const open = request.method === 'GET' && OPEN_PATHS.has(request.url.split('?', 1)[0] ?? '');
    const key = presentedKey(request);
    if (open || (key !== undefined && timingSafeEqual(digest(key), expected))) {
      done();
      return;
    }
    // A callback-style hook that answers does not call `done`.
    void reply
      .status(401)
      .header('www-authenticate', 'Bearer')
      .send(
        errorBody(
          UNAUTHORIZED_CODE,
          key === undefined
            ? 'this node requires an API key: send `authorization: Bearer <key>` or `x-api-key: <key>`'
            : 'the API key is not valid for this node',
        ),
      );
  };
}
