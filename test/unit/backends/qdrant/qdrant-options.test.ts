/**
 * Option validation of the Qdrant adapter.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_QDRANT_CAPABILITIES,
  qdrantBackend,
} from '../../../../src/backends/qdrant/index.js';
import { resolveQdrantOptions } from '../../../../src/backends/qdrant/qdrant-options.js';
import { InvalidOptionError } from '../../../../src/core/errors.js';

describe('qdrant options', () => {
  it('resolves defaults, and the client default port 6333 when the URL has none', () => {
    expect(resolveQdrantOptions({ url: 'http://127.0.0.1:6334/' })).toEqual({
      origin: 'http://127.0.0.1:6334',
      apiKey: undefined,
      connections: 16,
      timeoutMs: 30_000,
      ef: undefined,
      capabilities: DEFAULT_QDRANT_CAPABILITIES,
    });
    expect(qdrantBackend({ url: 'https://qdrant.example' }).endpoint).toBe(
      'https://qdrant.example:6333',
    );
  });

  it('merges capabilities over the defaults', () => {
    const caps = resolveQdrantOptions({
      url: 'http://h:1',
      capabilities: { maxTopK: 50 },
    }).capabilities;
    expect(caps).toEqual({ ...DEFAULT_QDRANT_CAPABILITIES, maxTopK: 50 });
  });

  it.each([
    [{ url: 'ftp://h' }, /url/],
    [{ url: 'http://h:6333/prefix' }, /url/],
    [{ url: 'http://user:pw@h:6333' }, /credentials/],
    [{ url: 42 }, /url/],
    [{ url: 'http://h', apiKey: '' }, /apiKey/],
    [{ url: 'http://h', timeoutMs: 0 }, /timeoutMs/],
    [{ url: 'http://h', connections: 1.5 }, /connections/],
    [{ url: 'http://h', ef: 0 }, /ef/],
    [{ url: 'http://h', capabilities: { maxTopK: -1 } }, /capabilities\.maxTopK/],
    [{ url: 'http://h', capabilities: { maxTopk: 1 } }, /capabilities\.maxTopk/],
    [{ url: 'http://h', capabilities: { toString: 5 } }, /capabilities\.toString/],
    [{ url: 'http://h', checkCompatibility: true }, /checkCompatibility/],
  ])('refuses %j', (options, message) => {
    expect(() => qdrantBackend(options as never)).toThrow(InvalidOptionError);
    expect(() => qdrantBackend(options as never)).toThrow(message);
  });
});
