import { describe, expect, it } from 'vitest';
import { kindOfVecmeshError } from '../../../src/core/error-kind.js';
import {
  InvalidFilterError,
  MissingDependencyError,
  PartialWriteError,
  ShardUnavailableError,
  UnavailableError,
} from '../../../src/core/errors.js';
import { readError, toVecmeshError } from '../../../src/core/native-errors.js';
import * as classifyModule from '../../../src/resilience/classify.js';

const refused = (): Error =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6333'), { code: 'ECONNREFUSED' });

describe('readError', () => {
  it('names the nested error that decided', () => {
    const cause = refused();
    expect(readError(new TypeError('fetch failed', { cause }))).toEqual({
      kind: 'unavailable',
      retryable: true,
      source: cause,
    });
  });

  it('reads a vecmesh error by its kind and its own retryable flag', () => {
    const error = new UnavailableError('down', { retryable: false });
    expect(readError(error)).toEqual({ kind: 'unavailable', retryable: false, source: error });
  });

  it('gives an abort the meaning of its cause', () => {
    const timeout = new DOMException('late', 'TimeoutError');
    const abort = Object.assign(new Error('aborted', { cause: timeout }), { name: 'AbortError' });
    expect(readError(abort)).toMatchObject({ kind: 'timeout', source: timeout });
  });

  it('recognises nothing in a plain error or a value', () => {
    expect(readError(new Error('boom'))).toBeUndefined();
    expect(readError('boom')).toBeUndefined();
    expect(readError(null)).toBeUndefined();
  });
});

describe('kindOfVecmeshError', () => {
  it('marks the errors the mesh raises about many replicas', () => {
    expect(kindOfVecmeshError(new ShardUnavailableError('s0'))).toEqual({
      kind: 'unavailable',
      aggregate: true,
    });
    expect(kindOfVecmeshError(new PartialWriteError('some', [], 0))?.aggregate).toBe(true);
    expect(kindOfVecmeshError(new InvalidFilterError('bad'))).toEqual({
      kind: 'invalid',
      aggregate: false,
    });
  });

  it('knows no kind for errors outside the table', () => {
    expect(
      kindOfVecmeshError(new MissingDependencyError('ioredis', 'install ioredis')),
    ).toBeUndefined();
  });
});

describe('toVecmeshError', () => {
  it('is the function resilience/classify.ts (and the package) exports', () => {
    expect(classifyModule.toVecmeshError).toBe(toVecmeshError);
    expect(toVecmeshError(refused())).toBeInstanceOf(UnavailableError);
  });
});
