/**
 * Applying a logged change to the in-memory collections: the one code path for live writes
 * (after their record is in the log) and for the replay at start, so that a restarted store ends
 * in exactly the state the running one had.
 *
 * @module
 */
import { StoreCollection } from './store-collection.js';
import type { WalRecord } from './wal-record.js';

/**
 * Applies one record.
 *
 * @param collections - The collections by name; changed in place.
 * @param record - The record.
 * @param deferIndex - Put upserted points in the table only, leaving them for the background
 *   indexer (see `StoreCollection.upsert`): the log replay at start does, so that a node starts
 *   without building the HNSW graph of every replayed point first.
 * @default deferIndex false
 * @throws `Error` when the record does not fit the state (a create of an existing collection, a
 *   write to a missing one, a vector of the wrong dimension). Live writes are planned so that
 *   this never happens; at replay it marks the point where the log stops being trustworthy.
 * @example
 * ```ts
 * applyRecord(collections, { seq: 1, op: 'create', collection: 'docs', spec });
 * applyRecord(collections, { seq: 2, op: 'upsert', collection: 'docs', points }, true); // replay
 * ```
 */
export function applyRecord(
  collections: Map<string, StoreCollection>,
  record: WalRecord,
  deferIndex = false,
): void {
  const name = record.collection;
  switch (record.op) {
    case 'create':
      if (collections.has(name)) throw new Error(`collection ${JSON.stringify(name)} exists`);
      collections.set(name, new StoreCollection(name, record.spec, record.seq));
      return;
    case 'drop':
      if (!collections.delete(name)) {
        throw new Error(`collection ${JSON.stringify(name)} does not exist`);
      }
      return;
    case 'upsert': {
      const c = existing(collections, name);
      for (const p of record.points) {
        if (p.vector.length !== c.spec.dimension) {
          throw new Error(
            `a vector has dimension ${p.vector.length}, collection ${JSON.stringify(name)} has ${c.spec.dimension}`,
          );
        }
      }
      c.upsert(record.points, record.seq, deferIndex);
      return;
    }
    case 'delete':
      existing(collections, name).delete(record.ids, record.seq);
      return;
  }
}

function existing(collections: Map<string, StoreCollection>, name: string): StoreCollection {
  const c = collections.get(name);
  if (c === undefined) throw new Error(`collection ${JSON.stringify(name)} does not exist`);
  return c;
}
