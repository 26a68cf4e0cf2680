/**
 * Group commit, part one: the writes waiting for the next flush are turned into log records in
 * call order, each checked against the state as the writes before it leave it (a create that
 * finds its collection, an upsert whose collection an earlier drop removed). A write that would
 * not fit gets its error without a record, so that every logged record applies cleanly.
 *
 * @module
 */
import {
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
} from '../../core/errors.js';
import type { PointId } from '../../core/types.js';
import type { PreparedPoint, StoreSpec } from './store-checks.js';
import type { WalOp } from './wal-record.js';

/** Settles a caller's promise with an error. */
type Reject = (error: Error) => void;

/** A write waiting for the next flush, with the caller's promise. */
export type PendingWrite =
  | {
      readonly kind: 'create';
      readonly name: string;
      readonly spec: StoreSpec;
      readonly resolve: (outcome: 'created' | 'exists') => void;
      readonly reject: Reject;
    }
  | {
      readonly kind: 'drop';
      readonly name: string;
      readonly resolve: (dropped: boolean) => void;
      readonly reject: Reject;
    }
  | {
      readonly kind: 'upsert';
      readonly name: string;
      /** The spec the points were checked against. */
      readonly spec: StoreSpec;
      readonly points: readonly PreparedPoint[];
      readonly resolve: () => void;
      readonly reject: Reject;
    }
  | {
      readonly kind: 'delete';
      readonly name: string;
      readonly ids: readonly PointId[];
      readonly resolve: () => void;
      readonly reject: Reject;
    };

/** What one pending write becomes. */
export interface PlannedWrite {
  /** The record to log, when the write changes something. */
  readonly op: WalOp | undefined;
  /** Settles the caller's promise once the batch is durable. */
  readonly settle: () => void;
  /** Settles the caller's promise with an error when the batch fails. */
  readonly reject: Reject;
}

/**
 * Plans a batch of writes in call order.
 *
 * @param batch - The pending writes.
 * @param specOf - The spec of a collection as it is now (before the batch), or `undefined`.
 * @returns One plan per write, in order.
 * @example
 * ```ts
 * const plans = planWrites(batch, (name) => collections.get(name)?.spec);
 * const ops = plans.flatMap((p) => (p.op === undefined ? [] : [p.op]));
 * ```
 */
export function planWrites(
  batch: readonly PendingWrite[],
  specOf: (name: string) => StoreSpec | undefined,
): PlannedWrite[] {
  // Collections created (spec) or dropped (null) by earlier writes of this batch.
  const changed = new Map<string, StoreSpec | null>();
  const current = (name: string): StoreSpec | undefined => {
    const spec = changed.get(name);
    return spec === undefined ? specOf(name) : (spec ?? undefined);
  };
  return batch.map((w): PlannedWrite => {
    const fail = (error: Error): PlannedWrite => ({
      op: undefined,
      settle: () => {
        w.reject(error);
      },
      reject: w.reject,
    });
    const had = current(w.name);
    switch (w.kind) {
      case 'create': {
        if (had === undefined) {
          changed.set(w.name, w.spec);
          return plan(w, { op: 'create', collection: w.name, spec: w.spec }, 'created');
        }
        if (had.dimension !== w.spec.dimension || had.metric !== w.spec.metric) {
          return fail(
            new CollectionConflictError(
              `collection \`${w.name}\` exists with dimension ${had.dimension} and metric ${had.metric}, asked for dimension ${w.spec.dimension} and metric ${w.spec.metric}`,
            ),
          );
        }
        return plan(w, undefined, 'exists');
      }
      case 'drop':
        if (had === undefined) return plan(w, undefined, false);
        changed.set(w.name, null);
        return plan(w, { op: 'drop', collection: w.name }, true);
      case 'upsert':
        if (had === undefined) return fail(notFound(w.name));
        if (had.dimension !== w.spec.dimension || had.metric !== w.spec.metric) {
          return fail(
            new InvalidArgumentError(
              `collection \`${w.name}\` was dropped and created again with dimension ${had.dimension} and metric ${had.metric} while the write waited; its points were checked against dimension ${w.spec.dimension} and metric ${w.spec.metric}`,
            ),
          );
        }
        return plan(w, { op: 'upsert', collection: w.name, points: w.points }, undefined);
      case 'delete':
        if (had === undefined) return fail(notFound(w.name));
        return plan(w, { op: 'delete', collection: w.name, ids: w.ids }, undefined);
    }
  });
}

function plan<T>(
  w: { readonly resolve: (value: T) => void; readonly reject: Reject },
  op: WalOp | undefined,
  value: T,
): PlannedWrite {
  return {
    op,
    settle: () => {
      w.resolve(value);
    },
    reject: w.reject,
  };
}

function notFound(name: string): CollectionNotFoundError {
  return new CollectionNotFoundError(`collection \`${name}\` does not exist`);
}
