/**
 * A bounded binary heap that keeps the best `k` scored items seen so far.
 *
 * The heap's root is the worst item kept, so a candidate that is not better than the root is
 * refused with one comparison; a search over `n` points costs `O(n log k)` instead of the
 * `O(n log n)` of a full sort. Equal scores are ordered by key (smaller key first), which makes
 * the result a total order: the same as sorting every score with `compareHits`.
 *
 * @module
 */

/** One item kept by a {@link TopK}. */
export interface Ranked<T> {
  /** The item's score. */
  readonly score: number;
  /** The item's tie-breaking key (an `idKey`). */
  readonly key: string;
  /** The item. */
  readonly item: T;
}

/**
 * Keeps the best `k` items offered to it.
 *
 * @example
 * ```ts
 * const top = new TopK<string>(2, true);
 * top.offer(0.1, 's:a', 'a');
 * top.offer(0.9, 's:b', 'b');
 * top.offer(0.5, 's:c', 'c');
 * top.drain().map((r) => r.item); // ['b', 'c']
 * ```
 */
export class TopK<T> {
  private readonly scores: number[] = [];
  private readonly keys: string[] = [];
  private readonly items: T[] = [];

  /**
   * @param k - How many items to keep; at least 1.
   * @param higherIsBetter - `true` for similarities, `false` for distances.
   */
  constructor(
    private readonly k: number,
    private readonly higherIsBetter: boolean,
  ) {}

  /** How many items are kept now. */
  get size(): number {
    return this.scores.length;
  }

  /**
   * Offers one item; it is kept when fewer than `k` are kept or it beats the worst kept one.
   *
   * @param score - The item's score.
   * @param key - Its tie-breaking key; keys should be unique.
   * @param item - The item.
   */
  offer(score: number, key: string, item: T): void {
    const n = this.scores.length;
    if (n < this.k) {
      this.scores.push(score);
      this.keys.push(key);
      this.items.push(item);
      this.siftUp(n);
      return;
    }
    const worst = this.scores[0] as number;
    // The common case in a large scan: clearly worse than the worst kept, refused at once.
    if (this.higherIsBetter ? score < worst : score > worst) return;
    if (score === worst && key >= (this.keys[0] as string)) return;
    this.scores[0] = score;
    this.keys[0] = key;
    this.items[0] = item;
    this.siftDown(0);
  }

  /**
   * Empties the heap and returns its items best first.
   *
   * @returns The kept items, best first.
   */
  drain(): Ranked<T>[] {
    const out: Ranked<T>[] = new Array<Ranked<T>>(this.scores.length);
    // Popping the root yields worst first; fill the output from the back.
    for (let i = this.scores.length - 1; i >= 0; i--) {
      out[i] = {
        score: this.scores[0] as number,
        key: this.keys[0] as string,
        item: this.items[0] as T,
      };
      this.removeRoot();
    }
    return out;
  }

  /** Whether the item at `i` ranks below (is worse than) the item at `j`. */
  private worse(i: number, j: number): boolean {
    const a = this.scores[i] as number;
    const b = this.scores[j] as number;
    if (a !== b) return this.higherIsBetter ? a < b : a > b;
    return (this.keys[i] as string) > (this.keys[j] as string);
  }

  private removeRoot(): void {
    const last = this.scores.length - 1;
    this.swap(0, last);
    this.scores.pop();
    this.keys.pop();
    this.items.pop();
    if (last > 0) this.siftDown(0);
  }

  private siftUp(start: number): void {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(start: number): void {
    const n = this.scores.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) return;
      const right = left + 1;
      const child = right < n && this.worse(right, left) ? right : left;
      if (!this.worse(child, i)) return;
      this.swap(i, child);
      i = child;
    }
  }

  private swap(i: number, j: number): void {
    const s = this.scores[i] as number;
    this.scores[i] = this.scores[j] as number;
    this.scores[j] = s;
    const k = this.keys[i] as string;
    this.keys[i] = this.keys[j] as string;
    this.keys[j] = k;
    const item = this.items[i] as T;
    this.items[i] = this.items[j] as T;
    this.items[j] = item;
  }
}
