/**
 * Tracing through `@opentelemetry/api`: spans for mesh operations with their shard fan-out as
 * child spans; a no-op unless the application registers an OpenTelemetry SDK.
 *
 * @module
 */
export {
  MeshTracer,
  TRACER_NAME,
  tracer,
  type MeshTracerOptions,
  type OperationAttributes,
  type OperationSpan,
  type ShardSpan,
  type ShardTarget,
  type TracedOperation,
} from './mesh-tracer.js';
