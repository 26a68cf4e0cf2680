import { describe, expect, it } from 'vitest';
import { mergeTopK, type Hit } from '../../../src/index.js';

const h = (id: string | number, score: number): Hit => ({ id, score });

describe('mergeTopK', () => {
  it('orders higher-is-better for cosine and ip, lower-is-better for l2', () => {
    const lists = [
      [h('a', 0.9), h('b', 0.5)],
      [h('c', 0.7), h('d', 0.1)],
    ];
    expect(mergeTopK(lists, 'cosine', 3, 0).map((x) => x.id)).toEqual(['a', 'c', 'b']);
    expect(mergeTopK(lists, 'ip', 3, 0).map((x) => x.id)).toEqual(['a', 'c', 'b']);
    const l2 = [
      [h('a', 0.1), h('b', 0.5)],
      [h('c', 0.2), h('d', 0.9)],
    ];
    expect(mergeTopK(l2, 'l2', 3, 0).map((x) => x.id)).toEqual(['a', 'c', 'b']);
  });

  it('applies the offset after merging', () => {
    const lists = [
      [h(1, 5), h(2, 3), h(3, 1)],
      [h(4, 4), h(5, 2)],
    ];
    expect(mergeTopK(lists, 'ip', 2, 2).map((x) => x.id)).toEqual([2, 5]);
    expect(mergeTopK(lists, 'ip', 10, 4).map((x) => x.id)).toEqual([3]);
  });

  it('keeps one hit per id, the best, and tells 1 from "1"', () => {
    const lists = [
      [h('x', 0.9), h(1, 0.3)],
      [h('x', 0.8), h('1', 0.2)],
    ];
    expect(mergeTopK(lists, 'cosine', 10, 0)).toEqual([h('x', 0.9), h(1, 0.3), h('1', 0.2)]);
    expect(mergeTopK([[h('x', 1), h('x', 0.5), h('y', 0.2)]], 'ip', 2, 0)).toEqual([
      h('x', 1),
      h('y', 0.2),
    ]);
  });

  it('breaks ties by list order, deterministically', () => {
    const lists = [[h('s0', 1)], [h('s1', 1)], [h('s2', 1)]];
    expect(mergeTopK(lists, 'l2', 3, 0).map((x) => x.id)).toEqual(['s0', 's1', 's2']);
  });

  it('handles empty input and k beyond the available hits', () => {
    expect(mergeTopK([], 'l2', 5, 0)).toEqual([]);
    expect(mergeTopK([[], []], 'l2', 5, 0)).toEqual([]);
    expect(mergeTopK([[h(1, 1)], []], 'l2', 5, 0)).toEqual([h(1, 1)]);
  });
});
