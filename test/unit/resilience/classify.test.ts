import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  BackendError,
  ClosedError,
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
  InvalidBatchError,
  InvalidFilterError,
  InvalidOptionError,
  InvalidTopologyError,
  InvalidVectorError,
  PartialWriteError,
  RateLimitedError,
  ShardUnavailableError,
  TimeoutError,
  UnavailableError,
  VecmeshError,
} from '../../../src/core/errors.js';
import { classify, toVecmeshError, type ErrorKind } from '../../../src/resilience/classify.js';

type Verdict = [kind: ErrorKind, retryable: boolean, replicaFault: boolean];

const verdictOf = (error: unknown): Verdict => {
  const c = classify(error);
  return [c.kind, c.retryable, c.replicaFault];
};

/** A Node system error as `net` reports it. */
const systemError = (code: string, message = `connect ${code} 127.0.0.1:6333`): Error =>
  Object.assign(new Error(message), { code, errno: -111, syscall: 'connect' });

/** An undici error: a named class with a `UND_ERR_*` code. */
const undiciError = (name: string, code: string, message: string): Error =>
  Object.assign(new Error(message), { name, code });

/** An error carrying an HTTP status, like @qdrant/openapi-typescript-fetch's ApiError. */
const httpError = (status: number): Error =>
  Object.assign(new Error(`HTTP ${status}`), {
    name: 'ApiError',
    status,
    statusText: 'whatever',
    data: { status: { error: 'x' } },
    headers: new Headers(),
  });

/** A @grpc/grpc-js ServiceError. */
const grpcError = (code: number, details = 'details'): Error =>
  Object.assign(new Error(`${code} STATUS: ${details}`), { code, details, metadata: {} });

describe('classify: the vecmesh error tree', () => {
  const unavailable = new UnavailableError('down');
  const cases: [string, VecmeshError, Verdict][] = [
    ['UnavailableError', unavailable, ['unavailable', true, true]],
    ['TimeoutError', new TimeoutError('slow'), ['timeout', true, true]],
    ['RateLimitedError', new RateLimitedError('busy'), ['rate-limited', true, true]],
    ['ShardUnavailableError', new ShardUnavailableError('s'), ['unavailable', true, false]],
    ['AbortedError', new AbortedError('bye'), ['aborted', false, false]],
    ['ClosedError', new ClosedError('closed'), ['closed', false, false]],
    ['InvalidArgumentError', new InvalidArgumentError('x'), ['invalid', false, false]],
    ['InvalidOptionError', new InvalidOptionError('x'), ['invalid', false, false]],
    ['InvalidTopologyError', new InvalidTopologyError('x'), ['invalid', false, false]],
    ['InvalidVectorError', new InvalidVectorError('x'), ['invalid', false, false]],
    ['InvalidFilterError', new InvalidFilterError('x'), ['invalid', false, false]],
    ['InvalidBatchError', new InvalidBatchError('x', []), ['invalid', false, false]],
    ['CollectionNotFoundError', new CollectionNotFoundError('x'), ['not-found', false, false]],
    ['CollectionConflictError', new CollectionConflictError('x'), ['conflict', false, false]],
    ['BackendError', new BackendError('x'), ['backend', false, false]],
    [
      'retryable BackendError',
      new BackendError('5xx', { retryable: true }),
      ['backend', true, true],
    ],
    [
      'PartialWriteError, every failure retryable',
      new PartialWriteError('p', [{ id: 'a', error: unavailable }], 3),
      ['backend', true, false],
    ],
    [
      'PartialWriteError, a final failure',
      new PartialWriteError('p', [{ id: 'a', error: new InvalidArgumentError('x') }], 3),
      ['backend', false, false],
    ],
    [
      'UnavailableError told not to retry',
      new UnavailableError('x', { retryable: false }),
      ['unavailable', false, true],
    ],
    ['the base class', new VecmeshError('?'), ['unknown', false, false]],
    ['a copy with meta', unavailable.withMeta({ shard: 's0' }), ['unavailable', true, true]],
  ];

  it.each(cases)('%s', (_, error, expected) => {
    expect(verdictOf(error)).toEqual(expected);
  });

  it('reads a subclass with a code of its own by its nearest known ancestor', () => {
    class MilvusDown extends UnavailableError {
      override readonly code: string = 'MILVUS_DOWN';
    }
    class MilvusQuota extends RateLimitedError {
      override readonly code: string = 'MILVUS_QUOTA';
    }
    expect(verdictOf(new MilvusDown('x'))).toEqual(['unavailable', true, true]);
    expect(verdictOf(new MilvusQuota('x'))).toEqual(['rate-limited', true, true]);
  });

  it('allocates nothing for vecmesh errors: the verdicts are shared and frozen', () => {
    const a = classify(new UnavailableError('a'));
    const b = classify(new UnavailableError('b'));
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('classify: Node system and undici errors', () => {
  const unavailable = [
    'ECONNREFUSED',
    'ECONNRESET',
    'EPIPE',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'EAI_AGAIN',
    'ENOTFOUND',
  ];
  it.each(unavailable)('%s is unavailable, retryable, a replica fault', (code) => {
    expect(verdictOf(systemError(code))).toEqual(['unavailable', true, true]);
  });

  it('ETIMEDOUT is a timeout', () => {
    expect(verdictOf(systemError('ETIMEDOUT'))).toEqual(['timeout', true, true]);
  });

  const undici: [string, string, ErrorKind][] = [
    ['ConnectTimeoutError', 'UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['HeadersTimeoutError', 'UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ['BodyTimeoutError', 'UND_ERR_BODY_TIMEOUT', 'timeout'],
    ['SocketError', 'UND_ERR_SOCKET', 'unavailable'],
    ['ClientClosedError', 'UND_ERR_CLOSED', 'unavailable'],
  ];
  it.each(undici)('undici %s (%s) is %s', (name, code, kind) => {
    expect(verdictOf(undiciError(name, code, 'x'))).toEqual([kind, true, true]);
  });

  it("reads fetch's TypeError('fetch failed') by its cause", () => {
    const refused = systemError('ECONNREFUSED');
    expect(verdictOf(new TypeError('fetch failed', { cause: refused }))).toEqual([
      'unavailable',
      true,
      true,
    ]);
    const timedOut = undiciError('ConnectTimeoutError', 'UND_ERR_CONNECT_TIMEOUT', 'x');
    expect(classify(new TypeError('fetch failed', { cause: timedOut })).kind).toBe('timeout');
  });

  it('looks into an AggregateError (happy eyeballs tries IPv4 and IPv6)', () => {
    const both = new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')]);
    expect(classify(new TypeError('fetch failed', { cause: both })).kind).toBe('unavailable');
    const withCode = Object.assign(new AggregateError([]), { code: 'ETIMEDOUT' });
    expect(classify(withCode).kind).toBe('timeout');
  });

  it('takes a bare fetch failure or a body cut short as unavailable', () => {
    expect(classify(new TypeError('fetch failed')).kind).toBe('unavailable');
    const cut = new TypeError('terminated', { cause: undiciError('SocketError', 'X', 'closed') });
    expect(classify(cut).kind).toBe('unavailable');
    expect(classify(new TypeError('x is not a function')).kind).toBe('unknown');
  });
});

describe('classify: aborts and timeouts by name', () => {
  it('DOMException TimeoutError is a timeout, AbortError an abort', () => {
    expect(verdictOf(new DOMException('late', 'TimeoutError'))).toEqual(['timeout', true, true]);
    expect(verdictOf(new DOMException('bye', 'AbortError'))).toEqual(['aborted', false, false]);
  });

  it('an abort caused by a timeout is a timeout', async () => {
    const late = AbortSignal.abort(new DOMException('late', 'TimeoutError'));
    // Node's own AbortError (code ABORT_ERR) with the signal's reason as cause.
    const nodeAbort: unknown = await sleep(1, undefined, { signal: late }).catch((e: unknown) => e);
    expect((nodeAbort as { code?: string }).code).toBe('ABORT_ERR');
    expect(classify(nodeAbort).kind).toBe('timeout');
    const byDeadline = new DOMException('aborted', 'AbortError');
    Object.defineProperty(byDeadline, 'cause', { value: new TimeoutError('deadline') });
    expect(classify(byDeadline).kind).toBe('timeout');
    const plain: unknown = await sleep(1, undefined, { signal: AbortSignal.abort('user') }).catch(
      (e: unknown) => e,
    );
    expect(verdictOf(plain)).toEqual(['aborted', false, false]);
  });

  it('reads the Qdrant client errors by name', () => {
    const timeout = Object.assign(new Error('aborted'), { name: 'QdrantClientTimeoutError' });
    const exhausted = Object.assign(new Error('429'), {
      name: 'QdrantClientResourceExhaustedError',
      retry_after: 2,
    });
    expect(classify(timeout).kind).toBe('timeout');
    expect(verdictOf(exhausted)).toEqual(['rate-limited', true, true]);
  });
});

describe('classify: HTTP statuses', () => {
  const cases: [number, ...Verdict][] = [
    [408, 'timeout', true, true],
    [504, 'timeout', true, true],
    [429, 'rate-limited', true, true],
    [500, 'unavailable', true, true],
    [502, 'unavailable', true, true],
    [503, 'unavailable', true, true],
    [400, 'invalid', false, false],
    [422, 'invalid', false, false],
    [413, 'invalid', false, false],
    [404, 'not-found', false, false],
    [409, 'conflict', false, false],
    [401, 'backend', false, false],
    [403, 'backend', false, false],
    [501, 'backend', false, false],
    [507, 'backend', true, true],
    [418, 'backend', false, false],
  ];
  it.each(cases)('%i is %s (retryable %s, fault %s)', (status, ...expected) => {
    expect(verdictOf(httpError(status))).toEqual(expected);
  });

  it('reads `statusCode` and an axios-like `response.status` too', () => {
    const undiciStatus = Object.assign(new Error('Response status code 503'), {
      name: 'ResponseStatusCodeError',
      code: 'UND_ERR_RESPONSE_STATUS_CODE',
      statusCode: 503,
    });
    expect(classify(undiciStatus).kind).toBe('unavailable');
    expect(classify({ response: { status: 429 } }).kind).toBe('rate-limited');
    expect(classify({ status: 503 }).kind).toBe('unavailable');
  });

  it('ignores statuses that are not errors or not HTTP', () => {
    expect(classify({ status: 200 }).kind).toBe('unknown');
    expect(classify({ status: 0 }).kind).toBe('unknown');
    expect(classify({ status: '503' }).kind).toBe('unknown');
  });
});

describe('classify: gRPC status codes', () => {
  const cases: [number, ...Verdict][] = [
    [14, 'unavailable', true, true],
    [4, 'timeout', true, true],
    [8, 'rate-limited', true, true],
    [1, 'aborted', false, false],
    [3, 'invalid', false, false],
    [5, 'not-found', false, false],
    [6, 'conflict', false, false],
    [13, 'backend', true, true],
    [16, 'backend', false, false],
  ];
  it.each(cases)('code %i is %s', (code, ...expected) => {
    expect(verdictOf(grpcError(code))).toEqual(expected);
  });

  it('needs `details` or `metadata` beside a numeric code', () => {
    expect(classify({ code: 14, details: 'No connection established' }).kind).toBe('unavailable');
    expect(classify({ code: 14, metadata: {} }).kind).toBe('unavailable');
    expect(classify({ code: 14 }).kind).toBe('unknown');
    expect(classify(grpcError(0)).kind).toBe('unknown');
    expect(classify(grpcError(99)).kind).toBe('unknown');
  });
});

describe('classify: anything else', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'ECONNREFUSED'],
    ['a number', 503],
    ['an empty object', {}],
    ['a plain Error', new Error('boom')],
    ['an unknown code', systemError('EWHATEVER')],
  ])('%s is unknown, not retryable, not a fault', (_, value) => {
    expect(verdictOf(value)).toEqual(['unknown', false, false]);
  });

  it('stops on a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.defineProperty(a, 'cause', { value: b });
    expect(classify(a).kind).toBe('unknown');
  });
});

describe('toVecmeshError', () => {
  it('returns vecmesh errors unchanged', () => {
    const error = new InvalidFilterError('bad');
    expect(toVecmeshError(error, 'ctx')).toBe(error);
  });

  it('keeps the message and the original as cause, and prefixes the context', () => {
    const reset = systemError('ECONNRESET', 'read ECONNRESET');
    const error = toVecmeshError(reset, 'http://127.0.0.1:6333 search');
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toBe('http://127.0.0.1:6333 search: read ECONNRESET');
    expect(error.cause).toBe(reset);
    expect(error.retryable).toBe(true);
    expect(toVecmeshError(reset).message).toBe('read ECONNRESET');
  });

  it('adds the message of the nested error that decided', () => {
    const failed = new TypeError('fetch failed', { cause: systemError('ECONNREFUSED') });
    const error = toVecmeshError(failed);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toBe('fetch failed (connect ECONNREFUSED 127.0.0.1:6333)');
    expect(error.cause).toBe(failed);
  });

  const mapped: [string, unknown, new (...args: never[]) => VecmeshError, boolean][] = [
    ['a connection refusal', systemError('ECONNREFUSED'), UnavailableError, true],
    ['HTTP 504', httpError(504), TimeoutError, true],
    ['gRPC 8', grpcError(8), RateLimitedError, true],
    ['a DOMException abort', new DOMException('bye', 'AbortError'), AbortedError, false],
    ['HTTP 422', httpError(422), InvalidArgumentError, false],
    ['gRPC 5', grpcError(5), CollectionNotFoundError, false],
    ['HTTP 409', httpError(409), CollectionConflictError, false],
    ['HTTP 507', httpError(507), BackendError, true],
    ['HTTP 403', httpError(403), BackendError, false],
    ['a plain Error', new Error('boom'), BackendError, false],
  ];
  it.each(mapped)('%s becomes the matching class', (_, input, ctor, retryable) => {
    const error = toVecmeshError(input);
    expect(error).toBeInstanceOf(ctor);
    expect(error.retryable).toBe(retryable);
  });

  it.each(mapped.slice(0, -1))('%s keeps its classification through the round trip', (_, input) => {
    expect(classify(toVecmeshError(input))).toEqual(classify(input));
  });

  it('describes values that are not errors', () => {
    expect(toVecmeshError('went wrong').message).toBe('went wrong');
    expect(toVecmeshError(42).message).toBe('number 42');
    expect(toVecmeshError({ status: 503 })).toBeInstanceOf(UnavailableError);
  });
});
