/**
 * The per-id gate between a background copy (replica fill, migration, cleanup) and live writes,
 * so that a copy never overwrites a newer live write and a cleanup never deletes one.
 *
 * Live writes enter SHARED on their ids for their whole duration; a copy batch enters EXCLUSIVE
 * on its ids, reads the source and writes the target inside, then leaves. A batch waits for the
 * live writes in flight on its ids; live writes on those ids wait for the batch. The gate exists
 * only while a copy runs (the view carries it), so ordinary traffic never pays for it.
 *
 * @module
 */

interface Slot {
  /** Live writes inside on this id. */
  shared: number;
  /** Resolved when the copy batch holding this id leaves. */
  exclusive: Promise<void> | undefined;
  /** Called when `shared` drops to 0 (a copy batch waiting for it). */
  onIdle: (() => void) | undefined;
}

/**
 * A lock table keyed by id key (see `idKey`): many live writes or one copy batch per id.
 *
 * Deadlock-free: a live write takes all its ids at once, and only when none is held exclusively
 * (it holds nothing while it waits); a copy batch marks all its ids exclusive at once (new live
 * writes then wait), then waits for the live writes already inside.
 *
 * @example
 * ```ts
 * const gate = new CopyGate();
 * const leave = await gate.enterShared(['s:a', 's:b']); // a live write
 * try { await write(); } finally { leave(); }
 * await gate.exclusive(['s:a'], async () => { const p = await source.get(['a']); await target.upsert(p); });
 * ```
 */
export class CopyGate {
  private readonly slots = new Map<string, Slot>();

  /**
   * Enters shared on `keys` (a live write), waiting while a copy batch holds any of them.
   *
   * @returns The function that leaves; call it exactly once, when the write has settled.
   */
  async enterShared(keys: readonly string[]): Promise<() => void> {
    for (;;) {
      const held = this.heldExclusive(keys);
      if (held.length === 0) break;
      await Promise.all(held);
    }
    const slots = keys.map((key) => this.slot(key));
    for (const slot of slots) slot.shared++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      keys.forEach((key, i) => {
        const slot = slots[i] as Slot;
        slot.shared--;
        if (slot.shared === 0) {
          const idle = slot.onIdle;
          slot.onIdle = undefined;
          idle?.();
          this.release(key, slot);
        }
      });
    };
  }

  /**
   * Runs `body` while holding `keys` exclusively (a copy batch): waits for other batches on these
   * ids, marks them (new live writes wait), waits for the live writes already inside, runs
   * `body`, then lets the waiting writes in. Resolves or rejects as `body` does.
   */
  async exclusive<T>(keys: readonly string[], body: () => Promise<T>): Promise<T> {
    for (;;) {
      const held = this.heldExclusive(keys);
      if (held.length === 0) break;
      await Promise.all(held);
    }
    let done!: () => void;
    const mark = new Promise<void>((resolve) => {
      done = resolve;
    });
    const unique = [...new Set(keys)];
    const slots = unique.map((key) => this.slot(key));
    for (const slot of slots) slot.exclusive = mark;
    try {
      await Promise.all(
        slots.map((slot) =>
          slot.shared === 0
            ? Promise.resolve()
            : new Promise<void>((resolve) => {
                slot.onIdle = resolve;
              }),
        ),
      );
      return await body();
    } finally {
      unique.forEach((key, i) => {
        const slot = slots[i] as Slot;
        slot.exclusive = undefined;
        this.release(key, slot);
      });
      done();
    }
  }

  /** Ids with a live write or a copy batch inside (0 when the gate is idle). */
  get size(): number {
    return this.slots.size;
  }

  private heldExclusive(keys: readonly string[]): Promise<void>[] {
    const held = new Set<Promise<void>>();
    for (const key of keys) {
      const mark = this.slots.get(key)?.exclusive;
      if (mark !== undefined) held.add(mark);
    }
    return [...held];
  }

  private slot(key: string): Slot {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = { shared: 0, exclusive: undefined, onIdle: undefined };
      this.slots.set(key, slot);
    }
    return slot;
  }

  private release(key: string, slot: Slot): void {
    if (slot.shared === 0 && slot.exclusive === undefined && this.slots.get(key) === slot) {
      this.slots.delete(key);
    }
  }
}
