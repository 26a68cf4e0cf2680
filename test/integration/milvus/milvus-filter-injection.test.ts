/**
 * Filter injection against a real Milvus Lite: hostile string values are stored in payloads and
 * matched literally (never widening a query), and hostile field names are refused before
 * anything is sent.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { milvusBackend, type MilvusBackend } from '../../../src/backends/milvus/index.js';
import { compileFilter } from '../../../src/backends/milvus/milvus-filter.js';
import { InvalidFilterError } from '../../../src/core/errors.js';
import { parseFilter } from '../../../src/core/filter.js';
import type { FilterNode } from '../../../src/core/filter-ast.js';

const HOSTILE = [
  "'",
  '"',
  '\\',
  '\\"',
  '" or 1==1 or "',
  '" || vm_payload["v"] != "',
  "' or '1'=='1",
  '||',
  '&&',
  ']',
  ')',
  '") or (true',
  '%',
  '_',
  'a\nb',
  'tab\there',
  'cr\rx',
  '\u0000',
  'nul\u0000inside',
  'é日本語',
  '🚀 emoji',
  '\\n',
  'json_contains(vm_fields, "s:v")',
];

let backend: MilvusBackend;
const name = `vm_inject_${process.pid}`;

beforeAll(async () => {
  backend = milvusBackend({ address: inject('milvusAddress'), index: { type: 'FLAT' } });
  await backend.connect();
  await backend.createCollection(name, { dimension: 2, metric: 'l2' });
  await backend.upsert(
    name,
    HOSTILE.map((v, i) => ({ id: i, vector: [i, 1], payload: { v, n: i } })),
  );
});

afterAll(async () => {
  await backend.dropCollection(name);
  await backend.close();
});

const search = async (filter: FilterNode) => {
  const [hits] = await backend.search(name, {
    vectors: [Float32Array.of(0, 0)],
    topK: 100,
    filter,
    includePayload: true,
    includeVector: false,
  });
  return hits!;
};

describe('hostile values match literally', () => {
  it.each(HOSTILE.map((v, i) => [JSON.stringify(v), v, i] as const))(
    '%s: $eq finds exactly its point, $ne all the others',
    async (_title, value, index) => {
      const eq = parseFilter({ v: value })!;
      const hits = await search(eq);
      expect(hits.map((h) => h.id)).toEqual([index]);
      expect(hits[0]!.payload).toEqual({ v: value, n: index });
      expect(await backend.count(name, eq)).toBe(1);
      expect(await backend.count(name, parseFilter({ v: { $ne: value } }))).toBe(
        HOSTILE.length - 1,
      );
    },
  );

  it('$in of every hostile value but one matches all but that one', async () => {
    const filter = parseFilter({ v: { $in: HOSTILE.slice(1) } })!;
    expect(await backend.count(name, filter)).toBe(HOSTILE.length - 1);
    expect(await backend.count(name, parseFilter({ v: { $nin: HOSTILE.slice(1) } }))).toBe(1);
  });

  it('a value that only looks like an always-true expression widens nothing', async () => {
    for (const value of ['" or 1==1 or "', '") or (true', "' or '1'=='1"]) {
      const filter = parseFilter({ v: value, n: { $gte: 0 } })!;
      expect(await backend.count(name, filter), value).toBe(1);
    }
    expect(await backend.count(name, parseFilter({ v: 'absent" or "x' }))).toBe(0);
  });
});

describe('hostile field names and values Milvus cannot take', () => {
  const bad: FilterNode[] = [
    { kind: 'compare', field: 'v"] == "x" or vm_payload["v', op: 'eq', value: 'x' },
    { kind: 'compare', field: 'v or 1==1', op: 'eq', value: 1 },
    { kind: 'exists', field: 'a"b', exists: true },
    { kind: 'in', field: 'x]', values: [1], negated: false },
    { kind: 'compare', field: '', op: 'eq', value: 1 },
  ];

  it.each(bad.map((node) => [JSON.stringify(node), node] as const))(
    'refuses %s with InvalidFilterError before sending',
    async (_title, node) => {
      expect(() => compileFilter(node)).toThrow(InvalidFilterError);
      await expect(backend.count(name, node)).rejects.toBeInstanceOf(InvalidFilterError);
      await expect(search(node)).rejects.toBeInstanceOf(InvalidFilterError);
    },
  );

  it('refuses a lone surrogate, and a string range above U+D7FF, naming the construct', async () => {
    await expect(backend.count(name, parseFilter({ v: '\uD800' }))).rejects.toThrow(
      /lone UTF-16 surrogate/,
    );
    await expect(backend.count(name, parseFilter({ v: { $gt: '\uE000' } }))).rejects.toThrow(
      /\$gt/,
    );
  });
});
