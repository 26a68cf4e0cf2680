/**
 * The reference node's HTTP server.
 *
 * @module
 */
export { startNode, type RunningNode } from './start-node.js';
export { buildNodeServer, type NodeServer, type NodeServerOptions } from './build-server.js';
export {
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_HOST,
  resolveNodeOptions,
  type NodeOptions,
  type ResolvedNodeOptions,
} from './server-options.js';
