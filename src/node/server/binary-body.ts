/**
 * The node's parser of binary bodies (`application/vnd.vecmesh.v1+binary`, laid out in
 * `src/backends/reference/binary-wire.ts`): a JSON header and `count x dimension` float32
 * values, accepted only on the search and upsert routes. It checks the layout strictly and
 * builds a `Float32Array` over the request's bytes without copying when they are 4-byte
 * aligned; the routes then validate the header and each vector against the collection.
 *
 * @module
 */
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import {
  BINARY_CONTENT_TYPE,
  BINARY_PREFIX_BYTES,
  HOST_IS_LITTLE_ENDIAN,
  binaryPadding,
} from '../../backends/reference/binary-wire.js';
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { isPlainObject } from '../../core/payload.js';
import { explainJsonError } from './json-body.js';

/** Largest `dimension` a binary header may declare (a collection's dimension is checked later). */
export const MAX_BINARY_DIMENSION = 65_536;

/** Largest `count` a binary header may declare (each route then applies its own limit). */
export const MAX_BINARY_COUNT = 10_000;

/** A parsed binary body: the header's other fields, and the vectors as one flat array. */
export class BinaryVectorBody {
  /**
   * @param fields - The JSON header without `count` and `dimension`.
   * @param values - `count x dimension` float32 values, vector after vector.
   * @param count - Number of vectors.
   * @param dimension - Length of each vector.
   * @param copied - Whether the values were copied (unaligned bytes) rather than viewed.
   */
  constructor(
    readonly fields: Record<string, unknown>,
    readonly values: Float32Array,
    readonly count: number,
    readonly dimension: number,
    readonly copied: boolean,
  ) {}

  /**
   * Vector `i`, a view into {@link BinaryVectorBody.values} (no copy).
   *
   * @param i - 0 to `count - 1`.
   * @returns The vector.
   * @example
   * ```ts
   * body.vector(0); // Float32Array of length body.dimension
   * ```
   */
  vector(i: number): Float32Array {
    return this.values.subarray(i * this.dimension, (i + 1) * this.dimension);
  }
}

/**
 * Decodes a binary body, checking its layout: the header length fits, the header is a JSON
 * object with integer `count` and `dimension`, the padding is zeros, and exactly
 * `count x dimension x 4` bytes follow. Values are not checked here (the routes name the bad
 * entry).
 *
 * @param bytes - The whole body.
 * @param parseJson - Parses the header text, refusing prototype keys; throws when it is not JSON.
 * @returns The decoded body.
 * @throws {@link InvalidArgumentError} naming what is wrong, e.g.
 *   `the binary body holds 12 bytes of vectors; count 2 x dimension 2 x 4 = 16`.
 *
 * @example
 * ```ts
 * const body = decodeBinaryBody(buffer, (text) => JSON.parse(text) as unknown);
 * body.vector(0);
 * ```
 */
export function decodeBinaryBody(
  bytes: Uint8Array,
  parseJson: (text: string) => unknown,
): BinaryVectorBody {
  if (bytes.length < BINARY_PREFIX_BYTES) {
    throw bad(`is ${bytes.length} bytes; it must start with a 4-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = view.getUint32(0, true);
  const available = bytes.length - BINARY_PREFIX_BYTES;
  if (headerBytes > available) {
    throw bad(`declares a JSON header of ${headerBytes} bytes, but only ${available} follow`);
  }
  const headerEnd = BINARY_PREFIX_BYTES + headerBytes;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(
    bytes.subarray(BINARY_PREFIX_BYTES, headerEnd),
  );
  const header = parseJson(text);
  if (!isPlainObject(header)) {
    throw bad(`must have a JSON object as its header, received ${describeValue(header)}`);
  }
  const { count, dimension, ...fields } = header;
  const n = headerInteger(count, 'count', 0, MAX_BINARY_COUNT);
  const d = headerInteger(dimension, 'dimension', 1, MAX_BINARY_DIMENSION);
  const start = headerEnd + binaryPadding(headerBytes);
  if (start > bytes.length) throw bad('ends inside the padding after its JSON header');
  for (let k = headerEnd; k < start; k++) {
    if (bytes[k] !== 0) throw bad('has a non-zero byte in the padding after its JSON header');
  }
  const expected = n * d * 4;
  const got = bytes.length - start;
  if (got !== expected) {
    throw bad(`holds ${got} bytes of vectors; count ${n} x dimension ${d} x 4 = ${expected}`);
  }
  const offset = bytes.byteOffset + start;
  if (HOST_IS_LITTLE_ENDIAN && offset % 4 === 0) {
    return new BinaryVectorBody(fields, new Float32Array(bytes.buffer, offset, n * d), n, d, false);
  }
  const values = new Float32Array(n * d);
  for (let k = 0; k < values.length; k++) values[k] = view.getFloat32(start + k * 4, true);
  return new BinaryVectorBody(fields, values, n, d, true);
}

/**
 * Installs the binary parser. It reads the body as a buffer under the server's body limit (413
 * beyond), and answers 415 on routes other than `routes`.
 *
 * @param app - The fastify instance, after `installJsonBodyParser`.
 * @param routes - Route patterns that accept binary bodies, e.g. `/collections/:name/search`.
 * @throws Never; bad bodies reach the error handler as {@link InvalidArgumentError}.
 *
 * @example
 * ```ts
 * installBinaryBodyParser(app, ['/collections/:name/search', '/collections/:name/points/upsert']);
 * ```
 */
export function installBinaryBodyParser(app: FastifyInstance, routes: readonly string[]): void {
  const secureParse = app.getDefaultJsonParser('error', 'error');
  const parseJson = (request: FastifyRequest, text: string): unknown => {
    let outcome: { error: Error | null; value?: unknown } | undefined;
    void secureParse(request, text, (error: Error | null, value?: unknown) => {
      outcome = { error, value };
    });
    if (outcome === undefined) throw bad('has a JSON header the node could not parse');
    if (outcome.error !== null) {
      throw explainJsonError(text, outcome.error, "the binary body's JSON header");
    }
    return outcome.value;
  };
  app.addContentTypeParser(BINARY_CONTENT_TYPE, { parseAs: 'buffer' }, (request, body, done) => {
    if (!routes.includes(request.routeOptions.url ?? '')) {
      done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(BINARY_CONTENT_TYPE), undefined);
      return;
    }
    try {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
      done(
        null,
        decodeBinaryBody(bytes, (text) => parseJson(request, text)),
      );
    } catch (err) {
      done(err instanceof Error ? err : new Error(String(err)), undefined);
    }
  });
}

function bad(what: string): InvalidArgumentError {
  return new InvalidArgumentError(`the binary body ${what}`);
}

function headerInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(
      `\`${name}\` in the binary header must be an integer from ${min} to ${max}, received ${describeValue(value)}`,
    );
  }
  return value;
}
