/**
 * The adapter of the vecmesh reference node, and the node's wire protocol.
 *
 * @module
 */
export { ReferenceBackend, referenceBackend } from './reference-backend.js';
export {
  DEFAULT_REFERENCE_CAPABILITIES,
  type ReferenceBackendOptions,
  type ResolvedReferenceBackendOptions,
} from './reference-options.js';
export { NODE_LIMITS, COLLECTION_NAME_PATTERN, type NodeLimits } from './protocol.js';
