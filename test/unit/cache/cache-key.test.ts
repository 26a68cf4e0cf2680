import { describe, expect, it } from 'vitest';
import {
  canonicalFilter,
  collectionTag,
  generationKey,
  searchKeyHash,
  type SearchKey,
} from '../../../src/cache/cache-key.js';
import type { FilterNode } from '../../../src/core/filter-ast.js';

const base: SearchKey = {
  collection: 'docs',
  epoch: 1,
  vectors: [new Float32Array([0.1, 0.2, 0.3])],
  topK: 10,
  offset: 0,
  includePayload: true,
  includeVector: false,
};

const filterA: FilterNode = {
  kind: 'and',
  children: [
    { kind: 'compare', field: 'year', op: 'gte', value: 2025 },
    { kind: 'in', field: 'lang', values: ['en', 'fr'], negated: false },
  ],
};

describe('searchKeyHash', () => {
  it('is stable for equal searches, including a vector that is a view into a larger buffer', () => {
    const big = new Float32Array([9, 0.1, 0.2, 0.3, 9]);
    const view = big.subarray(1, 4);
    expect(searchKeyHash({ ...base, vectors: [view] })).toBe(searchKeyHash(base));
    expect(searchKeyHash(base)).toMatch(/^\{c:docs\}:r:[A-Za-z0-9_-]{43}:$/);
  });

  it('differs whenever anything that decides the answer differs', () => {
    const variants: SearchKey[] = [
      { ...base, collection: 'docs2' },
      { ...base, epoch: 2 },
      { ...base, tenant: 'acme' },
      { ...base, tenant: '' },
      { ...base, vectors: [new Float32Array([0.1, 0.2, 0.3000001])] },
      { ...base, vectors: [new Float32Array([0.1, 0.2, 0.3]), new Float32Array([0.1, 0.2, 0.3])] },
      { ...base, vectors: [new Float32Array([0.1, 0.2])] },
      { ...base, topK: 11 },
      { ...base, offset: 5 },
      { ...base, includePayload: false },
      { ...base, includeVector: true },
      { ...base, params: { ef: 64 } },
      { ...base, params: { ef: 128 } },
      { ...base, params: { exact: true } },
      { ...base, params: { exact: false } },
      { ...base, filter: filterA },
      { ...base, filter: { kind: 'compare', field: 'year', op: 'gte', value: '2025' } },
      { ...base, filter: { kind: 'compare', field: 'year', op: 'gt', value: 2025 } },
      { ...base, filter: { kind: 'not', child: filterA } },
    ];
    const keys = new Set([searchKeyHash(base), ...variants.map(searchKeyHash)]);
    expect(keys.size).toBe(variants.length + 1);
  });

  it('tells tenants apart even when the collection name could absorb the tenant', () => {
    expect(searchKeyHash({ ...base, collection: 'ab', tenant: 'c' })).not.toBe(
      searchKeyHash({ ...base, collection: 'a', tenant: 'bc' }),
    );
  });
});

describe('canonicalFilter', () => {
  it('fixes the key order whatever order the tree was built in', () => {
    const built = JSON.parse(
      '{"value":2025,"op":"gte","kind":"compare","field":"year"}',
    ) as FilterNode;
    expect(canonicalFilter(built)).toBe(
      canonicalFilter({ kind: 'compare', field: 'year', op: 'gte', value: 2025 }),
    );
    expect(canonicalFilter(filterA)).toBe(
      '{"children":[{"field":"year","kind":"compare","op":"gte","value":2025},{"field":"lang","kind":"in","negated":false,"values":["en","fr"]}],"kind":"and"}',
    );
  });

  it('keeps -0, null and booleans distinct', () => {
    const c = (value: number | boolean | null): string =>
      canonicalFilter({ kind: 'compare', field: 'x', op: 'eq', value });
    expect(new Set([c(0), c(-0), c(null), c(false)]).size).toBe(4);
    expect(canonicalFilter({ kind: 'exists', field: 'x', exists: true })).toBe(
      '{"exists":true,"field":"x","kind":"exists"}',
    );
  });
});

describe('generationKey', () => {
  it('names the collection', () => {
    expect(generationKey('docs')).toBe('{c:docs}:g');
  });
});

/** The part of a key Redis Cluster hashes: between the first `{` and the next `}`, if not empty. */
function hashedPart(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('collectionTag', () => {
  it('gives every key of a collection the same Redis Cluster hash tag, whatever its name', () => {
    for (const collection of ['docs', 'a}b', '{x}', 'é-文档', '}']) {
      const prefix = 'vecmesh:';
      const tags = new Set([
        hashedPart(prefix + generationKey(collection)),
        hashedPart(`${prefix}${searchKeyHash({ ...base, collection })}0`),
        hashedPart(`${prefix}${searchKeyHash({ ...base, collection, topK: 99 })}12`),
      ]);
      expect(tags.size, collection).toBe(1);
      expect(generationKey(collection).startsWith(collectionTag(collection))).toBe(true);
    }
  });
});
