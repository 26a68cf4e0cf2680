/**
 * What a user reads when Milvus cannot be reached or lacks a collection: one line naming the
 * server (or the collection) and a short reason, with the SDK's error kept as `cause`. The
 * gRPC errors below are the ones @grpc/grpc-js 1.14 raised here against a closed port, a host
 * name that does not resolve, a server that accepts but never speaks, and a stalled server.
 * A real closed port is tried too (no Milvus needed).
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { milvusBackend } from '../../../../src/backends/milvus/index.js';
import { sdkError, statusError } from '../../../../src/backends/milvus/milvus-errors.js';
import {
  CollectionNotFoundError,
  TimeoutError,
  UnavailableError,
} from '../../../../src/core/errors.js';
import { classify } from '../../../../src/resilience/classify.js';

const meta = { backend: 'http://127.0.0.1:19530', operation: 'count', collection: 'docs' };

const grpc = (code: number, details: string): Error =>
  Object.assign(new Error(`${code} X: ${details}`), { code, details, metadata: {} });

describe('a Milvus that cannot be reached', () => {
  it.each([
    [
      'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:19530. Resolution note: ',
      'connection refused',
    ],
    ['Name resolution failed for target dns:db.invalid:19530', 'host name not found'],
    [
      'No connection established. Last error: Failed to connect (2026-01-01T00:00:00.000Z). Resolution note: ',
      'connection failed',
    ],
    ['No connection established. Last error: null. Resolution note: ', 'no connection established'],
    ['Connection dropped', 'connection dropped'],
  ])('gRPC UNAVAILABLE "%s" says why in a few words', (details, why) => {
    const raw = grpc(14, details);
    const err = sdkError(raw, meta);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toBe(`cannot reach Milvus at 127.0.0.1:19530: ${why}`);
    expect(err.cause).toBe(raw);
    expect(err.meta).toMatchObject(meta);
    expect(classify(err)).toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('a deadline before any connection is unreachable; after one, a timeout', () => {
    const connecting = sdkError(
      grpc(4, 'Deadline exceeded after 1.001s,name resolution: 0.018s,Waiting for LB pick'),
      meta,
    );
    expect(connecting).toBeInstanceOf(UnavailableError);
    expect(connecting.message).toBe(
      'cannot reach Milvus at 127.0.0.1:19530: no connection within 1.0 s',
    );
    const stalled = sdkError(
      grpc(4, 'Deadline exceeded after 0.501s,remote_addr=127.0.0.1:19530'),
      meta,
    );
    expect(stalled).toBeInstanceOf(TimeoutError);
    expect(stalled.message).toBe(
      'Milvus at 127.0.0.1:19530 `count`: no answer within 0.5 s (`timeoutMs`)',
    );
    expect(classify(stalled)).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('a closed port: connect and later calls say `cannot reach Milvus at 127.0.0.1:PORT`', async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    await new Promise<void>((done) => {
      server.close(() => {
        done();
      });
    });
    const backend = milvusBackend({ address: `127.0.0.1:${port}`, timeoutMs: 2000 });
    try {
      const connect = await backend.connect().catch((e: unknown) => e);
      expect(connect).toBeInstanceOf(UnavailableError);
      expect((connect as Error).message).toBe(
        `cannot reach Milvus at 127.0.0.1:${port}: connection refused`,
      );
      expect((connect as Error).cause).toMatchObject({ code: 14 });
      const count = await backend.count('docs').catch((e: unknown) => e);
      expect(count).toBeInstanceOf(UnavailableError);
      expect((count as Error).message).toMatch(
        new RegExp(`^cannot reach Milvus at 127\\.0\\.0\\.1:${port}: [a-z ]+$`),
      );
      expect((await backend.health()).detail).toMatch(/^cannot reach Milvus at /);
    } finally {
      await backend.close();
    }
  });
});

describe('a collection Milvus does not have', () => {
  it('names the collection, not the status', () => {
    const status = {
      error_code: 'CollectionNotExists',
      code: 100,
      reason: "collection 'docs' does not exist",
    };
    const err = statusError(status, meta);
    expect(err).toBeInstanceOf(CollectionNotFoundError);
    expect(err.message).toBe('collection `docs` does not exist on Milvus at 127.0.0.1:19530');
    expect(err.cause).toBe(status);
  });

  it('an SDK error string with the status is read the same way', () => {
    const err = sdkError(
      new Error("ErrorCode: CollectionNotExists. Reason: can't find collection"),
      meta,
    );
    expect(err.message).toBe('collection `docs` does not exist on Milvus at 127.0.0.1:19530');
  });

  it('without a collection in the meta, the status is quoted', () => {
    const err = statusError({ code: 100, reason: 'gone' }, { backend: meta.backend });
    expect(err).toBeInstanceOf(CollectionNotFoundError);
    expect(err.message).toContain('gone');
  });
});
