/**
 * What every route of a node's server needs: the store, the metrics and the readiness flag.
 *
 * @module
 */
import type { VectorStore } from '../store/store-contract.js';
import type { NodeMetrics } from './node-metrics.js';

/** Shared by the routes of one server. */
export interface NodeContext {
  /** The storage engine. */
  readonly store: VectorStore;
  /** The node's counters. */
  readonly metrics: NodeMetrics;
  /** Whether the node serves requests (false once it has begun to stop). */
  readonly isReady: () => boolean;
}

/** The route parameters of every `/collections/:name...` route. */
export interface NameParams {
  /** The collection name, URL-decoded. */
  name: string;
}
