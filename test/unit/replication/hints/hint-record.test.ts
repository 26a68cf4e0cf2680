import { describe, expect, it } from 'vitest';
import { replicaBaseName } from '../../../../src/replication/hints/hint-files.js';
import {
  decodeHeader,
  decodeHint,
  decodeState,
  encodeHintBody,
  frameLine,
  headerLine,
  hintLine,
  stateLine,
  unframeLine,
} from '../../../../src/replication/hints/hint-record.js';

const body = (line: Buffer): Buffer => line.subarray(0, -1);

describe('hint records', () => {
  it('round-trips every finite float32 bit pattern it meets through JSON exactly', () => {
    // float32 -> double (exact) -> shortest JSON text -> double (exact) -> float32 (same bits).
    const bits = new Uint32Array(200_000);
    let s = 12345;
    for (let i = 0; i < bits.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      bits[i] = s ^ (s << 7);
    }
    bits.set([0x00000001, 0x007fffff, 0x00800000, 0x7f7fffff, 0x80000001, 0x3eaaaaab], 0);
    const floats = new Float32Array(bits.buffer);
    const finite = Array.from(floats).filter((x) => Number.isFinite(x) && !Object.is(x, -0));
    const back = Float32Array.from(JSON.parse(JSON.stringify(finite)) as number[]);
    expect(Array.from(new Uint32Array(back.buffer))).toEqual(
      Array.from(new Uint32Array(Float32Array.from(finite).buffer)),
    );
  });

  it('frames a line with a checksum that catches any flipped bit', () => {
    const line = frameLine('{"a":[1,2,3],"b":"é"}');
    expect(line.at(-1)).toBe(0x0a);
    expect(unframeLine(body(line))).toEqual({ a: [1, 2, 3], b: 'é' });
    for (let i = 0; i < line.length - 1; i++) {
      const damaged = Buffer.from(line);
      damaged[i] = damaged[i]! ^ 0x04;
      expect(unframeLine(body(damaged))).toBeUndefined();
    }
    expect(unframeLine(Buffer.from('short'))).toBeUndefined();
    expect(unframeLine(Buffer.from('zzzzzzzz {}'))).toBeUndefined();
  });

  it('encodes a hint with its seq and time in front, and decodes it back', () => {
    const vector = Float32Array.of(0.1, 1 / 3, -7);
    const input = {
      collection: 'docs',
      op: 'upsert' as const,
      points: [{ id: 'a', vector, payload: { t: 'y' } }],
    };
    const hint = decodeHint(unframeLine(body(hintLine(42, 1700, encodeHintBody(input)))));
    expect(hint).toMatchObject({ seq: 42, createdAt: 1700, collection: 'docs', op: 'upsert' });
    expect(hint!.points![0]!.vector).toEqual(Array.from(vector));
    const del = decodeHint(
      unframeLine(
        body(hintLine(1, 2, encodeHintBody({ collection: 'c', op: 'delete', ids: [1, 'x'] }))),
      ),
    );
    expect(del).toEqual({ seq: 1, createdAt: 2, collection: 'c', op: 'delete', ids: [1, 'x'] });
    expect(
      decodeHint({ seq: 0, createdAt: 1, collection: 'c', op: 'delete', ids: [1] }),
    ).toBeUndefined();
    expect(
      decodeHint({ seq: 1, createdAt: 1, collection: 'c', op: 'delete', ids: [] }),
    ).toBeUndefined();
    expect(decodeHint([])).toBeUndefined();
  });

  it('writes and reads headers and state files', () => {
    expect(decodeHeader(unframeLine(body(headerLine('c/s/r'))))).toBe('c/s/r');
    expect(decodeHeader({ vecmeshHints: 2, replica: 'x' })).toBeUndefined();
    const state = { replicaId: 'c/s/r', acked: 17, needsRepair: true };
    expect(decodeState(stateLine(state))).toEqual(state);
    expect(decodeState(Buffer.concat([stateLine(state), Buffer.from('x')]))).toBeUndefined();
    expect(decodeState(Buffer.from('nonsense\n'))).toBeUndefined();
  });

  it('names replica files readably, distinctly and briefly', () => {
    expect(replicaBaseName('local/s0/r1')).toMatch(/^local_s0_r1-[0-9a-f]{16}$/);
    expect(replicaBaseName('a/b')).not.toBe(replicaBaseName('a_b'));
    expect(replicaBaseName('x'.repeat(500)).length).toBe(48 + 1 + 16);
  });
});
