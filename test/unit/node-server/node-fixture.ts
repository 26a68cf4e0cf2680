/**
 * A reference node's server over an in-memory store, driven with fastify `inject` (no
 * sockets), and small helpers to send JSON and read answers.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildNodeServer, type NodeServerOptions } from '../../../src/node/server/build-server.js';
import type { NodeServer } from '../../../src/node/server/build-server.js';
import { openStore } from '../../../src/node/store/index.js';
import type { VectorStore } from '../../../src/node/store/store-contract.js';

/** What each test gets. */
export interface NodeFixture {
  /** The server. */
  server: NodeServer;
  /** Its fastify instance. */
  app: FastifyInstance;
  /** The store under it. */
  store: VectorStore;
}

/** A parsed answer. */
export interface Answer {
  status: number;
  body: unknown;
  raw: LightMyRequestResponse;
}

/**
 * Registers hooks that build a fresh server and store before each test and close them after.
 *
 * @returns A getter for the current fixture.
 */
export function useNode(options: NodeServerOptions = {}): () => NodeFixture {
  let current: NodeFixture | undefined;
  beforeEach(async () => {
    const store = await openStore({});
    const server = buildNodeServer(store, options);
    await server.app.ready();
    current = { server, app: server.app, store };
  });
  afterEach(async () => {
    if (current === undefined) return;
    await current.app.close();
    await current.store.close();
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error('no node in this test');
    return current;
  };
}

/** Sends one request; a non-string body is sent as JSON. */
export async function send(
  app: FastifyInstance,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const raw = await app.inject({
    method,
    url,
    headers:
      body === undefined || typeof body === 'string'
        ? headers
        : { 'content-type': 'application/json', ...headers },
    ...(body === undefined
      ? {}
      : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  let parsed: unknown = raw.body;
  if ((raw.headers['content-type'] ?? '').toString().startsWith('application/json')) {
    parsed = JSON.parse(raw.body) as unknown;
  }
  return { status: raw.statusCode, body: parsed, raw };
}

/** Checks an error answer: status, code, and a message matching a pattern. */
export function expectError(
  answer: Answer,
  status: number,
  code: string,
  message?: RegExp | string,
): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  const body = answer.body as { error?: { code?: unknown; message?: unknown } };
  expect(body.error?.code).toBe(code);
  expect(typeof body.error?.message).toBe('string');
  if (message !== undefined) expect(body.error?.message).toMatch(message);
}

/** Creates a collection and checks it was created. */
export async function createCollection(
  app: FastifyInstance,
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  const answer = await send(app, 'PUT', `/collections/${name}`, spec);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
}

/** Checks the node still serves: a probe and a list answer 200. */
export async function expectServing(
  app: FastifyInstance,
  headers: Record<string, string> = {},
): Promise<void> {
  expect((await send(app, 'GET', '/healthz')).status).toBe(200);
  expect((await send(app, 'GET', '/collections', undefined, headers)).status).toBe(200);
}
