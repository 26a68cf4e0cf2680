/**
 * The node's JSON body parser: fastify's default secure parser (which refuses `__proto__` and
 * `constructor.prototype` keys, so that no request can reach an object's prototype), wrapped so
 * that a refused body gets a message saying why rather than fastify's generic one.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { InvalidArgumentError, messageOf } from '../../core/errors.js';

/** The longest excerpt of a JSON syntax error quoted back to the client. */
const MAX_REASON_LENGTH = 200;

/**
 * Installs the JSON parser on a fastify instance and removes the plain-text one, so that every
 * body is JSON (other content types get 415) unless another parser is added after it, such as
 * the binary one of `binary-body.ts`.
 *
 * @param app - The fastify instance, before routes are added.
 * @throws Never; parse failures reach the error handler as {@link InvalidArgumentError}.
 *
 * @example
 * ```ts
 * const app = Fastify({ bodyLimit });
 * installJsonBodyParser(app);
 * ```
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const secureParse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    void secureParse(request, text, (error: Error | null, value?: unknown) => {
      if (error === null) {
        done(null, value);
        return;
      }
      done(explainJsonError(text, error), undefined);
    });
  });
}

/**
 * Says why the secure parser refused a JSON text: empty, not JSON (with the syntax error), or a
 * forbidden key.
 *
 * @param text - The refused text.
 * @param error - The parser's error, kept as the cause.
 * @param what - What the text is, for the message.
 * @default what 'the request body'
 * @returns An {@link InvalidArgumentError} (400) saying why.
 * @throws Never.
 *
 * @example
 * ```ts
 * explainJsonError('{"a":', err).message; // 'the request body is not valid JSON: ...'
 * ```
 */
export function explainJsonError(
  text: string,
  error: Error,
  what = 'the request body',
): InvalidArgumentError {
  if (text.length === 0) {
    return new InvalidArgumentError(`${what} is empty; send a JSON object`);
  }
  try {
    JSON.parse(text);
  } catch (syntax) {
    const reason = messageOf(syntax);
    return new InvalidArgumentError(
      `${what} is not valid JSON: ${reason.slice(0, MAX_REASON_LENGTH)}`,
      { cause: error },
    );
  }
  // Valid JSON that the secure parser refused: it holds a key that could reach a prototype.
  return new InvalidArgumentError(
    `${what} holds a \`__proto__\` or \`constructor.prototype\` key, which the node refuses`,
    { cause: error },
  );
}
