import { describe, expect, it } from 'vitest';
import { unframeLine } from '../../../src/core/framed-line.js';
import { normalizeSpec } from '../../../src/node/store/store-checks.js';
import { decodeVector, encodeVector } from '../../../src/node/store/vector-bytes.js';
import {
  decodeRecord,
  decodeWalHeader,
  encodeRecord,
  walHeader,
  type WalOp,
} from '../../../src/node/store/wal-record.js';

const parse = (line: Buffer): unknown => unframeLine(line.subarray(0, -1));

describe('write-ahead log records', () => {
  it('round-trips every kind of record', () => {
    const spec = normalizeSpec({ dimension: 3, metric: 'cosine', index: { m: 8 } });
    const ops: WalOp[] = [
      { op: 'create', collection: 'docs', spec },
      { op: 'drop', collection: 'docs' },
      { op: 'delete', collection: 'docs', ids: [1, 'a', -7] },
      {
        op: 'upsert',
        collection: 'docs',
        points: [
          {
            id: 'p',
            key: 's:p',
            vector: Float32Array.of(0.1, 1 / 3, -7),
            payload: { a: [1, { b: null }] },
          },
          { id: 2, key: 'n:2', vector: Float32Array.of(1, 2, 3), payload: undefined },
        ],
      },
    ];
    ops.forEach((op, i) => {
      expect(decodeRecord(parse(encodeRecord(i + 1, op)))).toEqual({ ...op, seq: i + 1 });
    });
  });

  it('keeps vectors bit for bit, in little-endian base64', () => {
    const bits = Uint32Array.of(
      0x00000001,
      0x007fffff,
      0x7f7fffff,
      0x80000001,
      0x3eaaaaab,
      0x80000000,
    );
    const v = new Float32Array(bits.buffer);
    const back = decodeVector(encodeVector(v))!;
    expect(Array.from(new Uint32Array(back.buffer))).toEqual(Array.from(bits));
    expect(encodeVector(Float32Array.of(1))).toBe(
      Buffer.from('0000803f', 'hex').toString('base64'),
    );
  });

  it('refuses vectors that are not canonical, whole or finite', () => {
    expect(decodeVector('AACAPw==')).toEqual(Float32Array.of(1));
    expect(decodeVector('AACAPw==', 2)).toBeUndefined();
    expect(decodeVector('AACA')).toBeUndefined(); // 3 bytes
    expect(decodeVector('AAC*APw==')).toBeUndefined();
    expect(decodeVector(encodeVector(Float32Array.of(Number.NaN)))).toBeUndefined();
    expect(decodeVector('')).toBeUndefined();
    expect(decodeVector(42)).toBeUndefined();
  });

  it('refuses records of the wrong shape', () => {
    const bad: unknown[] = [
      null,
      { seq: 0, op: 'drop', collection: 'c' },
      { seq: 1.5, op: 'drop', collection: 'c' },
      { seq: 1, op: 'explode', collection: 'c' },
      { seq: 1, op: 'drop', collection: '' },
      { seq: 1, op: 'create', collection: 'c', spec: { dimension: 0, metric: 'l2' } },
      { seq: 1, op: 'delete', collection: 'c', ids: [1.5] },
      { seq: 1, op: 'delete', collection: 'c' },
      {
        seq: 1,
        op: 'upsert',
        collection: 'c',
        points: [{ id: 1, vector: 'AACAPw==', payload: [] }],
      },
      { seq: 1, op: 'upsert', collection: 'c', points: [{ id: 1, vector: [1] }] },
      { seq: 1, op: 'upsert', collection: 'c', points: {} },
    ];
    for (const value of bad) expect(decodeRecord(value)).toBeUndefined();
  });

  it('writes and reads the header', () => {
    expect(decodeWalHeader(parse(walHeader(42)))).toBe(42);
    expect(decodeWalHeader({ vecmeshWal: 2, base: 0 })).toBeUndefined();
    expect(decodeWalHeader({ vecmeshWal: 1, base: -1 })).toBeUndefined();
  });
});
