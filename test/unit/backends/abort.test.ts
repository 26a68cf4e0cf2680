import { describe, expect, it } from 'vitest';
import { abortError, throwIfAborted } from '../../../src/backends/abort.js';
import { AbortedError, TimeoutError, UnavailableError } from '../../../src/core/errors.js';

const meta = { backend: 'memory://a', operation: 'search' };

describe('abortError', () => {
  it('keeps a vecmesh reason and adds the call meta', () => {
    const deadline = new TimeoutError('deadline of 20 ms passed', { meta: { attempt: 2 } });
    const error = abortError(AbortSignal.abort(deadline), 'memory://a', meta);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('deadline of 20 ms passed');
    expect(error.meta).toEqual({ ...meta, attempt: 2 });
    const byCaller = new AbortedError('caller left');
    expect(abortError(AbortSignal.abort(byCaller), 'memory://a', meta).message).toBe('caller left');
    const hedged = new UnavailableError('another replica answered first');
    expect(abortError(AbortSignal.abort(hedged), 'memory://a', meta)).toBeInstanceOf(
      UnavailableError,
    );
  });

  it('maps a DOMException timeout to TimeoutError', () => {
    const reason = new DOMException('late', 'TimeoutError');
    const error = abortError(AbortSignal.abort(reason), 'memory://a', meta);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('`search` on memory://a timed out');
    expect(error.cause).toBe(reason);
    expect(error.meta).toEqual(meta);
  });

  it('maps anything else to AbortedError with the reason as cause', () => {
    const error = abortError(AbortSignal.abort('user left'), 'memory://a', {});
    expect(error).toBeInstanceOf(AbortedError);
    expect(error.message).toBe('`call` on memory://a was aborted');
    expect(error.cause).toBe('user left');
    const controller = new AbortController();
    controller.abort();
    const plain = abortError(controller.signal, 'memory://a', meta);
    expect(plain).toBeInstanceOf(AbortedError);
    expect((plain.cause as DOMException).name).toBe('AbortError');
  });
});

describe('throwIfAborted', () => {
  it('returns for a missing or live signal and throws for an aborted one', () => {
    expect(() => {
      throwIfAborted(undefined, 'memory://a', meta);
    }).not.toThrow();
    expect(() => {
      throwIfAborted(new AbortController().signal, 'memory://a', meta);
    }).not.toThrow();
    expect(() => {
      throwIfAborted(AbortSignal.abort(), 'memory://a', meta);
    }).toThrow(AbortedError);
  });
});
