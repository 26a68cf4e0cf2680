/**
 * Id mapping of the Qdrant adapter: deterministic version-5 UUIDs of type-tagged ids.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  QDRANT_ID_NAMESPACE,
  originalId,
  qdrantPointId,
  uuidV5,
} from '../../../../src/backends/qdrant/qdrant-ids.js';

// RFC 9562 section 5.5, step by step, written separately from the adapter's code.
function referenceV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const digest = createHash('sha1')
    .update(Buffer.concat([ns, Buffer.from(name, 'utf8')]))
    .digest();
  const b = Array.from(digest.subarray(0, 16));
  b[6] = (b[6]! & 0b0000_1111) | (5 << 4);
  b[8] = (b[8]! & 0b0011_1111) | 0b1000_0000;
  const hex = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join('-');
}

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('qdrant ids', () => {
  it('computes the RFC 9562 example (DNS namespace, www.example.com)', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('maps an id to the v5 UUID of its type-tagged key', () => {
    expect(qdrantPointId('doc-1')).toBe(referenceV5(QDRANT_ID_NAMESPACE, 's:doc-1'));
    expect(qdrantPointId(-7)).toBe(referenceV5(QDRANT_ID_NAMESPACE, 'n:-7'));
    expect(qdrantPointId('ünïcødé-id-🚀')).toBe(
      referenceV5(QDRANT_ID_NAMESPACE, 's:ünïcødé-id-🚀'),
    );
  });

  it('is deterministic, lowercase v5, and keeps 1 and "1" apart', () => {
    const ids = [1, '1', 0, Number.MAX_SAFE_INTEGER, -1, 'a', 'A', 'x'.repeat(512)];
    const uuids = ids.map(qdrantPointId);
    expect(ids.map(qdrantPointId)).toEqual(uuids);
    for (const u of uuids) expect(u).toMatch(UUID_V5);
    expect(new Set(uuids).size).toBe(ids.length);
    expect(qdrantPointId(1)).not.toBe(qdrantPointId('1'));
  });

  it('reads back only values that are vecmesh ids', () => {
    expect(originalId('doc-1')).toBe('doc-1');
    expect(originalId(42)).toBe(42);
    expect(originalId('')).toBeUndefined();
    expect(originalId(1.5)).toBeUndefined();
    expect(originalId(null)).toBeUndefined();
    expect(originalId(2 ** 60)).toBeUndefined();
  });
});
