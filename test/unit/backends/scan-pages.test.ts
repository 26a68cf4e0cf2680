import { describe, expect, it } from 'vitest';
import { MEMORY_CURSORS } from '../../../src/backends/memory/request-checks.js';
import { ScanCursorCodec, keysAfter } from '../../../src/backends/scan-pages.js';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { NODE_CURSORS } from '../../../src/node/store/store-checks.js';

describe('ScanCursorCodec', () => {
  it('keeps the formats that cross HTTP and sit in checkpoints', () => {
    // Cursors made before the codec was shared must still be read, and read the same.
    expect(MEMORY_CURSORS.encode('n:1')).toBe('m1.bjox');
    expect(NODE_CURSORS.encode('n:1')).toBe('r1.bjox');
    expect(NODE_CURSORS.decode('r1.czrDqQ')).toBe('s:é');
    expect(MEMORY_CURSORS.decode(MEMORY_CURSORS.encode('s:a b'))).toBe('s:a b');
  });

  it("refuses another store's cursors and damaged ones, naming the argument and the issuer", () => {
    const bad = ['', 'r1.', 'r1.!!!', 'm1.bjox', 'r1.' + Buffer.from('q:1').toString('base64url')];
    for (const cursor of [...bad, 42]) {
      expect(() => NODE_CURSORS.decode(cursor)).toThrow(InvalidArgumentError);
      expect(() => NODE_CURSORS.decode(cursor)).toThrow(
        '`cursor` is not a cursor issued by this node, received ',
      );
    }
    expect(() => MEMORY_CURSORS.decode('r1.bjox')).toThrow(
      '`page.cursor` is not a cursor issued by a memory backend, received ',
    );
  });

  it('answers a page with a cursor only when more follow', () => {
    const cursors = new ScanCursorCodec('t1.', 'page.cursor', 'a test');
    expect(cursors.page(['n:1', 's:a'], true)).toEqual({ ids: [1, 'a'], nextCursor: 't1.czph' });
    expect(cursors.page(['n:1', 's:a'], false)).toEqual({ ids: [1, 'a'] });
    expect(cursors.page([], true)).toEqual({ ids: [] });
  });
});

describe('keysAfter', () => {
  const keys = ['n:1', 'n:2', 's:a', 's:b'];

  it('pages from the start and after a key', () => {
    expect(keysAfter(keys, undefined, 2)).toEqual({ keys: ['n:1', 'n:2'], more: true });
    expect(keysAfter(keys, 'n:2', 2)).toEqual({ keys: ['s:a', 's:b'], more: false });
    expect(keysAfter(keys, 's:b', 2)).toEqual({ keys: [], more: false });
  });

  it('resumes after a key that is gone, by value', () => {
    expect(keysAfter(keys, 'n:3', 1)).toEqual({ keys: ['s:a'], more: true });
    expect(keysAfter(keys, 'a', 10)).toEqual({ keys, more: false });
  });
});
