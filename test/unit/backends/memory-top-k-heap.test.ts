import { describe, expect, it } from 'vitest';
import { TopK } from '../../../src/backends/memory/top-k.js';

function run(k: number, higherIsBetter: boolean, items: [number, string][]): string[] {
  const top = new TopK<string>(k, higherIsBetter);
  for (const [score, key] of items) top.offer(score, key, key);
  return top.drain().map((r) => r.item);
}

describe('TopK', () => {
  const items: [number, string][] = [
    [0.5, 'c'],
    [0.9, 'a'],
    [0.1, 'e'],
    [0.5, 'b'],
    [0.7, 'd'],
    [0.5, 'a2'],
  ];

  it('keeps the k highest, best first, ties by key', () => {
    expect(run(3, true, items)).toEqual(['a', 'd', 'a2']);
    expect(run(10, true, items)).toEqual(['a', 'd', 'a2', 'b', 'c', 'e']);
    expect(run(1, true, items)).toEqual(['a']);
  });

  it('keeps the k lowest when lower is better', () => {
    expect(run(3, false, items)).toEqual(['e', 'a2', 'b']);
    expect(run(1, false, items)).toEqual(['e']);
  });

  it('replaces the worst on a tie only when the key is smaller', () => {
    expect(
      run(1, true, [
        [1, 'b'],
        [1, 'a'],
        [1, 'c'],
      ]),
    ).toEqual(['a']);
    expect(
      run(2, false, [
        [1, 'z'],
        [1, 'y'],
        [1, 'x'],
        [0, 'w'],
      ]),
    ).toEqual(['w', 'x']);
  });

  it('reports its size, returns scores and empties on drain', () => {
    const top = new TopK<number>(2, true);
    expect(top.size).toBe(0);
    top.offer(1, 'n:1', 1);
    top.offer(3, 'n:3', 3);
    top.offer(2, 'n:2', 2);
    expect(top.size).toBe(2);
    expect(top.drain()).toEqual([
      { score: 3, key: 'n:3', item: 3 },
      { score: 2, key: 'n:2', item: 2 },
    ]);
    expect(top.size).toBe(0);
    expect(top.drain()).toEqual([]);
  });

  it('matches a full sort on a larger seeded input', () => {
    let seed = 11;
    const next = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const many: [number, string][] = Array.from({ length: 2000 }, (_, i) => [
      Math.round(next() * 50),
      `k${i}`,
    ]);
    const sorted = [...many]
      .sort((x, y) => y[0] - x[0] || (x[1] < y[1] ? -1 : 1))
      .map(([, key]) => key);
    expect(run(100, true, many)).toEqual(sorted.slice(0, 100));
  });
});
