/**
 * `vecmesh/node`: the vecmesh reference node (a small vector server that ships with the
 * package) and its adapter.
 *
 * @example
 * ```ts
 * import { createMesh } from 'vecmesh';
 * import { referenceBackend, startNode } from 'vecmesh/node';
 *
 * const node = await startNode({ port: 0, dataDir: './data' });
 * const mesh = createMesh({
 *   clusters: [{ name: 'local', shards: [{ replicas: [{ backend: referenceBackend({ url: node.url }) }] }] }],
 * });
 * await mesh.connect();
 * // ...
 * await mesh.close();
 * await node.close();
 * ```
 *
 * @module
 */
export {
  startNode,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_HOST,
  type NodeOptions,
  type RunningNode,
} from './server/index.js';
export {
  ReferenceBackend,
  referenceBackend,
  DEFAULT_REFERENCE_CAPABILITIES,
  NODE_LIMITS,
  type NodeLimits,
  type ReferenceBackendOptions,
} from '../backends/reference/index.js';
export {
  startLocalCluster,
  type LocalCluster,
  type LocalClusterOptions,
  type LocalNode,
} from './local-cluster.js';
