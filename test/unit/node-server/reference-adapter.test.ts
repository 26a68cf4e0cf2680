/**
 * The parts of the reference-node adapter that need no node: options, the filter on the wire,
 * and how error answers and transport failures become vecmesh errors.
 */
import { describe, expect, it } from 'vitest';
import { filterToWire } from '../../../src/backends/reference/filter-wire.js';
import {
  DEFAULT_REFERENCE_CAPABILITIES,
  resolveReferenceOptions,
} from '../../../src/backends/reference/reference-options.js';
import { errorFromAnswer, transportError } from '../../../src/backends/reference/wire-errors.js';
import { referenceBackend } from '../../../src/backends/reference/index.js';
import {
  AbortedError,
  BackendError,
  ClosedError,
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
  InvalidFilterError,
  InvalidOptionError,
  InvalidVectorError,
  RateLimitedError,
  TimeoutError,
  UnavailableError,
} from '../../../src/core/errors.js';
import { parseFilter } from '../../../src/core/filter.js';
import {
  ARRAY_FILTER_CASES,
  FILTER_CASES,
  STRING_RANGE_CASES,
} from '../../conformance/fixtures.js';

const meta = { backend: 'http://127.0.0.1:1', operation: 'search', collection: 'docs' };
const body = (code: string, message = 'it went wrong'): string =>
  JSON.stringify({ error: { code, message } });

describe('reference adapter: options', () => {
  it('resolves defaults and strips a trailing slash', () => {
    const o = resolveReferenceOptions({ url: 'http://127.0.0.1:7001/' });
    expect(o).toMatchObject({
      origin: 'http://127.0.0.1:7001',
      connections: 16,
      timeoutMs: 30_000,
    });
    expect(o.capabilities).toBe(DEFAULT_REFERENCE_CAPABILITIES);
    expect(o.capabilities.maxBytesPerRequest).toBeLessThan((64 * 1024 * 1024) / 6);
  });

  it('merges capabilities within the node limits', () => {
    const o = resolveReferenceOptions({ url: 'http://h:1', capabilities: { maxTopK: 100 } });
    expect(o.capabilities.maxTopK).toBe(100);
    expect(() =>
      resolveReferenceOptions({ url: 'http://h:1', capabilities: { maxTopK: 10_001 } }),
    ).toThrow(/capabilities\.maxTopK/);
  });

  it.each([
    [{ url: 'ftp://h:1' }, /http: or https:/],
    [{ url: 'not a url' }, /must be a URL/],
    [{ url: 'http://h:1/base' }, /without a path/],
    [{ url: 'http://u:p@h:1' }, /credentials/],
    [{ url: 3 }, /`url`/],
    [{ url: 'http://h:1', apiKey: '' }, /`apiKey`/],
    [{ url: 'http://h:1', connections: 0 }, /`connections`/],
    [{ url: 'http://h:1', timeoutMs: 1.5 }, /`timeoutMs`/],
    [{ url: 'http://h:1', capabilities: { maxFoo: 1 } }, /capabilities\.maxFoo/],
    [{ url: 'http://h:1', retries: 3 }, /unknown option `retries`/],
  ])('rejects %o', (options, message) => {
    expect(() => resolveReferenceOptions(options as never)).toThrow(InvalidOptionError);
    expect(() => resolveReferenceOptions(options as never)).toThrow(message);
  });

  it('does no I/O in the constructor, and calls before connect or after close are ClosedError', async () => {
    const backend = referenceBackend({ url: 'http://127.0.0.1:9' });
    expect(backend.endpoint).toBe('http://127.0.0.1:9');
    expect(backend.kind).toBe('reference');
    await expect(backend.listCollections()).rejects.toBeInstanceOf(ClosedError);
    await backend.close();
    await backend.close();
    await expect(backend.connect()).rejects.toBeInstanceOf(ClosedError);
    await expect(backend.health()).rejects.toBeInstanceOf(ClosedError);
  });
});

describe('reference adapter: filters on the wire', () => {
  const cases = [...FILTER_CASES, ...ARRAY_FILTER_CASES, ...STRING_RANGE_CASES];
  it.each(cases.map((c) => [JSON.stringify(c.filter), c.filter] as const))(
    '%s parses back to the same tree',
    (_title, filter) => {
      const tree = parseFilter(filter);
      expect(tree).toBeDefined();
      const wire = JSON.parse(JSON.stringify(filterToWire(tree!))) as unknown;
      expect(parseFilter(wire)).toEqual(tree);
    },
  );

  it('keeps a field named __proto__ as data', () => {
    const tree = parseFilter(JSON.parse('{"__proto__": 1}'));
    const wire = filterToWire(tree!);
    expect(Object.getPrototypeOf(wire)).toBe(Object.prototype);
    expect(JSON.stringify(wire)).toBe('{"__proto__":{"$eq":1}}');
  });
});

describe('reference adapter: errors', () => {
  it.each([
    [400, 'VECMESH_ERR_INVALID_ARGUMENT', InvalidArgumentError, false],
    [400, 'VECMESH_ERR_INVALID_VECTOR', InvalidVectorError, false],
    [400, 'VECMESH_ERR_INVALID_FILTER', InvalidFilterError, false],
    [404, 'VECMESH_ERR_COLLECTION_NOT_FOUND', CollectionNotFoundError, false],
    [409, 'VECMESH_ERR_COLLECTION_CONFLICT', CollectionConflictError, false],
    [413, 'VECMESH_ERR_INVALID_ARGUMENT', InvalidArgumentError, false],
    [429, 'VECMESH_ERR_RATE_LIMITED', RateLimitedError, true],
    [503, 'VECMESH_ERR_CLOSED', UnavailableError, true],
    [500, 'VECMESH_ERR_BACKEND', UnavailableError, true],
    [401, 'VECMESH_ERR_UNAUTHORIZED', BackendError, false],
    [404, 'VECMESH_ERR_NO_ROUTE', BackendError, false],
  ] as const)('HTTP %i with %s becomes %o', (status, code, ctor, retryable) => {
    const err = errorFromAnswer(status, body(code, 'the reason'), meta);
    expect(err).toBeInstanceOf(ctor);
    expect(err.retryable).toBe(retryable);
    expect(err.meta).toMatchObject(meta);
    expect(err.message).toContain('the reason');
    expect(err.message).toContain('http://127.0.0.1:1');
  });

  it('reads the status when the body is not a vecmesh error', () => {
    const gateway = errorFromAnswer(502, '<html>Bad gateway</html>', meta);
    expect(gateway).toBeInstanceOf(UnavailableError);
    expect(gateway.retryable).toBe(true);
    expect(gateway.message).toContain('Bad gateway');
    expect(errorFromAnswer(504, '', meta)).toBeInstanceOf(TimeoutError);
    expect(errorFromAnswer(404, '{}', meta)).toBeInstanceOf(CollectionNotFoundError);
  });

  it('turns transport failures into retryable errors, and aborts into AbortedError', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    const down = transportError(refused, undefined, meta);
    expect(down).toBeInstanceOf(UnavailableError);
    expect(down.retryable).toBe(true);
    expect(down.meta).toMatchObject(meta);
    const slow = Object.assign(new Error('Headers Timeout Error'), {
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
    expect(transportError(slow, undefined, meta)).toBeInstanceOf(TimeoutError);
    const aborted = transportError(new Error('aborted'), AbortSignal.abort(), meta);
    expect(aborted).toBeInstanceOf(AbortedError);
    const deadline = AbortSignal.abort(new DOMException('late', 'TimeoutError'));
    expect(transportError(new Error('aborted'), deadline, meta)).toBeInstanceOf(TimeoutError);
  });
});
