/**
 * The node's binary bodies (`application/vnd.vecmesh.v1+binary`) on search and upsert: a good
 * request, and every malformed one answered with the JSON path's codes.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import {
  BINARY_CONTENT_TYPE,
  binaryPadding,
  encodeBinaryBody,
  encodeBinaryUpsert,
} from '../../../src/backends/reference/binary-wire.js';
import { decodeBinaryBody } from '../../../src/node/server/binary-body.js';
import { createCollection, expectError, expectServing, send, useNode } from './node-fixture.js';

const base = '/collections/docs';

/** Sends raw bytes with a content type. */
async function sendBytes(
  app: FastifyInstance,
  url: string,
  bytes: Uint8Array,
  contentType = BINARY_CONTENT_TYPE,
): ReturnType<typeof send> {
  const raw = await app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': contentType },
    payload: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  });
  return { status: raw.statusCode, body: JSON.parse(raw.body) as unknown, raw };
}

/** Builds a body by hand: header object, then raw float32 values (any count). */
function handmade(header: unknown, values: number[], headerLength?: number): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const pad = binaryPadding(json.length);
  const bytes = new Uint8Array(4 + json.length + pad + values.length * 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, headerLength ?? json.length, true);
  bytes.set(json, 4);
  values.forEach((v, i) => {
    view.setFloat32(4 + json.length + pad + i * 4, v, true);
  });
  return bytes;
}

describe('node server: binary bodies', () => {
  const node = useNode({ bodyLimitBytes: 4096 });

  beforeEach(async () => {
    await createCollection(node().app, 'docs', {
      dimension: 2,
      metric: 'l2',
      index: { type: 'flat' },
    });
  });

  it('upserts and searches with binary bodies, answering JSON', async () => {
    const { app } = node();
    const write = encodeBinaryUpsert([
      { id: 'a', vector: [1, 0], payload: { lang: 'en' } },
      { id: 7, vector: Float32Array.of(0, 2) },
      { id: 'a', vector: [1, 1], payload: { lang: 'fr' } },
    ]);
    expect(write).toBeDefined();
    const upsert = await sendBytes(app, `${base}/points/upsert`, write ?? new Uint8Array());
    expect(upsert.status, JSON.stringify(upsert.body)).toBe(200);
    expect(upsert.body).toEqual({ upserted: 2 });
    const got = await send(app, 'POST', `${base}/points/get`, { ids: ['a'], includeVector: true });
    expect(got.body).toEqual({ points: [{ id: 'a', vector: [1, 1], payload: { lang: 'fr' } }] });

    const query = encodeBinaryBody({ topK: 2, includePayload: true, filter: { lang: 'fr' } }, [
      [1, 1],
      Float32Array.of(0, 2),
    ]);
    const search = await sendBytes(app, `${base}/search`, query ?? new Uint8Array());
    expect(search.status, JSON.stringify(search.body)).toBe(200);
    expect(search.body).toEqual({
      hits: [
        [{ id: 'a', score: 0, payload: { lang: 'fr' } }],
        [{ id: 'a', score: 2, payload: { lang: 'fr' } }],
      ],
    });
  });

  it('views aligned bytes without copying, and copies unaligned ones', () => {
    const bytes = encodeBinaryBody({ topK: 1 }, [[1, 2]]) ?? new Uint8Array();
    const aligned = decodeBinaryBody(bytes, (t) => JSON.parse(t) as unknown);
    expect(aligned.copied).toBe(false);
    expect(aligned.values.buffer).toBe(bytes.buffer);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const unaligned = decodeBinaryBody(shifted.subarray(1), (t) => JSON.parse(t) as unknown);
    expect(unaligned.copied).toBe(true);
    expect(Array.from(unaligned.vector(0))).toEqual([1, 2]);
    expect(unaligned.fields).toEqual({ topK: 1 });
  });

  it.each([
    ['a body shorter than its length prefix', Uint8Array.of(1, 0), /4-byte header length/],
    [
      'a header length past the end',
      handmade({ topK: 1, count: 1, dimension: 2 }, [1, 0], 5000),
      /header of 5000 bytes, but only \d+ follow/,
    ],
    [
      'a truncated body',
      handmade({ topK: 1, count: 2, dimension: 2 }, [1, 0, 1]),
      /12 bytes of vectors; count 2 x dimension 2 x 4 = 16/,
    ],
    [
      'a header that is not JSON',
      (() => {
        const bytes = handmade({ topK: 1, count: 1, dimension: 2 }, [1, 0]);
        bytes[4] = 0x78; // 'x' instead of '{'
        return bytes;
      })(),
      /JSON header is not valid JSON/,
    ],
    [
      'a `__proto__` key in the header',
      (() => {
        const json = '{"topK":1,"count":1,"dimension":2,"__proto__":{"polluted":1}}';
        const pad = binaryPadding(json.length);
        const bytes = new Uint8Array(4 + json.length + pad + 8);
        new DataView(bytes.buffer).setUint32(0, json.length, true);
        bytes.set(Buffer.from(json), 4);
        return bytes;
      })(),
      /__proto__/,
    ],
    [
      'a count that is not an integer',
      handmade({ topK: 1, count: 1.5, dimension: 2 }, [1, 0]),
      /`count` in the binary header/,
    ],
    [
      'an unknown header field',
      handmade({ topk: 1, count: 1, dimension: 2 }, [1, 0]),
      /unknown field `topk`/,
    ],
    [
      'a JSON body sent as binary',
      Buffer.from(JSON.stringify({ vectors: [[1, 0]], topK: 1 })),
      /binary body/,
    ],
  ])('answers 400 to %s', async (_what, bytes, message) => {
    const { app } = node();
    const answer = await sendBytes(app, `${base}/search`, bytes);
    expectError(answer, 400, 'VECMESH_ERR_INVALID_ARGUMENT', message);
    await expectServing(app);
  });

  it.each([
    ['a wrong dimension', handmade({ topK: 1, count: 1, dimension: 3 }, [1, 0, 0]), /has 2/],
    ['NaN', handmade({ topK: 1, count: 1, dimension: 2 }, [1, NaN]), /`vectors\[0\]\[1\]`.*NaN/],
    [
      'Infinity',
      handmade({ topK: 1, count: 2, dimension: 2 }, [1, 0, -Infinity, 0]),
      /`vectors\[1\]\[0\]` must be a finite number, received -Infinity/,
    ],
    ['no query vectors', handmade({ topK: 1, count: 0, dimension: 2 }, []), /1 to 1000/],
  ])('answers 400 INVALID_VECTOR or INVALID_ARGUMENT to %s', async (_what, bytes, message) => {
    const { app } = node();
    const answer = await sendBytes(app, `${base}/search`, bytes);
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect((answer.body as { error: { code: string } }).error.code).toMatch(
      /^VECMESH_ERR_INVALID_(VECTOR|ARGUMENT)$/,
    );
    expect((answer.body as { error: { message: string } }).error.message).toMatch(message);
    await expectServing(app);
  });

  it('refuses a bad upsert whole, writing nothing', async () => {
    const { app } = node();
    const cases: [Uint8Array, RegExp][] = [
      [handmade({ ids: ['a', 'b'], count: 2, dimension: 2 }, [1, 0, NaN, 0]), /points|NaN/],
      [handmade({ ids: ['a'], count: 2, dimension: 2 }, [1, 0, 1, 0]), /`ids` holds 1 ids/],
      [
        handmade({ ids: ['a'], payloads: [[1]], count: 1, dimension: 2 }, [1, 0]),
        /`payloads\[0\]`/,
      ],
      [handmade({ ids: [''], count: 1, dimension: 2 }, [1, 0]), /`ids\[0\]`/],
    ];
    for (const [bytes, message] of cases) {
      const answer = await sendBytes(app, `${base}/points/upsert`, bytes);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect((answer.body as { error: { message: string } }).error.message).toMatch(message);
    }
    expect((await send(app, 'POST', `${base}/points/count`, {})).body).toEqual({ count: 0 });
  });

  it('answers 413 to a binary body over the limit, and writes nothing', async () => {
    const { app } = node();
    const points = Array.from({ length: 600 }, (_, i) => ({ id: i, vector: [1, 2] }));
    const bytes = encodeBinaryUpsert(points) ?? new Uint8Array();
    expect(bytes.length).toBeGreaterThan(4096);
    const answer = await sendBytes(app, `${base}/points/upsert`, bytes);
    expectError(answer, 413, 'VECMESH_ERR_INVALID_ARGUMENT', /4096 bytes/);
    expect((await send(app, 'POST', `${base}/points/count`, {})).body).toEqual({ count: 0 });
    await expectServing(app);
  });

  it('answers 415 to binary on other routes and to unknown content types', async () => {
    const { app } = node();
    const bytes = encodeBinaryBody({ topK: 1 }, [[1, 0]]) ?? new Uint8Array();
    const get = await sendBytes(app, `${base}/points/get`, bytes);
    expectError(get, 415, 'VECMESH_ERR_INVALID_ARGUMENT', /vnd\.vecmesh\.v1\+binary/);
    const other = await sendBytes(app, `${base}/search`, bytes, 'application/octet-stream');
    expectError(other, 415, 'VECMESH_ERR_INVALID_ARGUMENT', /application\/json/);
    const v2 = await sendBytes(app, `${base}/search`, bytes, 'application/vnd.vecmesh.v2+binary');
    expectError(v2, 415, 'VECMESH_ERR_INVALID_ARGUMENT');
    // The same route still takes JSON.
    const json = await send(app, 'POST', `${base}/search`, { vectors: [[1, 0]], topK: 1 });
    expect(json.status, JSON.stringify(json.body)).toBe(200);
    await expectServing(app);
  });

  it('the encoder falls back to JSON for vectors binary cannot carry exactly', () => {
    expect(encodeBinaryBody({}, [])).toBeUndefined();
    expect(encodeBinaryBody({}, [[1, 0], [1]])).toBeUndefined();
    expect(encodeBinaryBody({}, [[1, Number.NaN]])).toBeUndefined();
    expect(encodeBinaryBody({}, [[1e39, 0]])).toBeUndefined();
    expect(encodeBinaryBody({}, [['1', 0]])).toBeUndefined();
    expect(encodeBinaryUpsert([{ id: 'a', vector: [1], payload: null as never }])).toBeUndefined();
  });
});
