/**
 * Tracing through `@opentelemetry/api`: spans for mesh operations with their shard fan-out as
 * child spans; a no-op unless the application registers an OpenTelemetry SDK (which needs
 * `@opentelemetry/api`, an optional peer that is then loaded).
 *
 * @module
 */
export {
  MeshTracer,
  TRACER_NAME,
  type MeshTracerOptions,
  type OperationAttributes,
  type OperationSpan,
  type ShardSpan,
  type ShardTarget,
  type TracedOperation,
  type TracerProviderLike,
} from './mesh-tracer.js';
