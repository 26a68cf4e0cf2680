/**
 * Tracing through `@opentelemetry/api`: one span per mesh operation (`vecmesh.search`,
 * `vecmesh.upsert`, ...) with a child span per shard of its fan-out (`vecmesh.shard`, attributes
 * `vecmesh.cluster`, `vecmesh.shard`, `vecmesh.replica`).
 *
 * Without an OpenTelemetry SDK registered by the application, the API hands out non-recording
 * spans; {@link MeshTracer} notices that on the operation's span and then runs the operation with
 * no context switch and no shard spans at all, so the cost is one no-op `startSpan` per operation.
 *
 * @module
 */
import { messageOf } from '../core/errors.js';
import {
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  trace,
  type Context,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';

/** The instrumentation scope name of every vecmesh span. */
export const TRACER_NAME = 'vecmesh';

/** An operation that opens a span. */
export type TracedOperation = 'search' | 'upsert' | 'delete' | 'get' | 'count' | 'describe';

/**
 * Attributes of an operation's span. Spans are per request, not aggregated, so the collection
 * name is allowed here (unlike metric labels); ids, vectors and filters are not.
 */
export interface OperationAttributes {
  /** The collection (`vecmesh.collection`). */
  readonly collection?: string;
  /** Query vectors of a search (`vecmesh.queries`). */
  readonly queries?: number;
  /** Hits asked per query (`vecmesh.top_k`). */
  readonly topK?: number;
  /** Points or ids of a write (`vecmesh.points`). */
  readonly points?: number;
}

/** Where a shard span goes. */
export interface ShardTarget {
  /** Cluster name. */
  readonly cluster: string;
  /** Shard name. */
  readonly shard: string;
  /** The replica's id, when it is known before the call. */
  readonly replica?: string;
}

/** The handle of a shard span. */
export interface ShardSpan {
  /** Records the replica that answered (or the last one tried). */
  setReplica(replica: string): void;
}

/** The handle of an operation span, through which the fan-out opens its shard spans. */
export interface OperationSpan {
  /**
   * Runs `fn` inside a `vecmesh.shard` child span; the span ends when `fn` settles and records
   * its error.
   */
  shard<T>(target: ShardTarget, fn: (span: ShardSpan) => Promise<T>): Promise<T>;
}

/** Options of {@link MeshTracer}. */
export interface MeshTracerOptions {
  /**
   * The provider to take the tracer from.
   * @default the global one (`trace.getTracerProvider()`), a no-op until an SDK is registered
   */
  tracerProvider?: TracerProvider;
}

const NOOP_SHARD_SPAN: ShardSpan = Object.freeze({
  setReplica(): void {
    // Not traced.
  },
});

const NOOP_OPERATION_SPAN: OperationSpan = Object.freeze({
  shard<T>(_target: ShardTarget, fn: (span: ShardSpan) => Promise<T>): Promise<T> {
    return fn(NOOP_SHARD_SPAN);
  },
});

/**
 * The vecmesh tracer.
 *
 * @param provider - Where to take it from.
 * @default provider: the global tracer provider
 * @returns A tracer scoped `vecmesh`; with the global provider it follows an SDK registered later.
 * @example
 * ```ts
 * const span = tracer().startSpan('vecmesh.custom');
 * span.end();
 * ```
 */
export function tracer(provider?: TracerProvider): Tracer {
  return (provider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
}

/** Whether a span is worth anything: recorded, or carrying a context that children must join. */
function isLive(span: Span): boolean {
  return span.isRecording() || isSpanContextValid(span.spanContext());
}

function fail(span: Span, error: unknown): void {
  if (error instanceof Error) {
    span.recordException(error);
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') span.setAttribute('vecmesh.error.code', code);
  }
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: messageOf(error),
  });
}

/** Runs `fn` with `span` active in `ctx`, recording its error and ending the span. */
async function runIn<T>(span: Span, ctx: Context, fn: () => Promise<T>): Promise<T> {
  try {
    return await context.with(ctx, fn);
  } catch (error) {
    fail(span, error);
    throw error;
  } finally {
    span.end();
  }
}

class LiveOperationSpan implements OperationSpan {
  constructor(
    private readonly tracer: Tracer,
    private readonly parent: Context,
  ) {}

  shard<T>(target: ShardTarget, fn: (span: ShardSpan) => Promise<T>): Promise<T> {
    const span = this.tracer.startSpan(
      'vecmesh.shard',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'vecmesh.cluster': target.cluster,
          'vecmesh.shard': target.shard,
          ...(target.replica === undefined ? {} : { 'vecmesh.replica': target.replica }),
        },
      },
      this.parent,
    );
    const handle: ShardSpan = {
      setReplica(replica: string): void {
        span.setAttribute('vecmesh.replica', replica);
      },
    };
    return runIn(span, trace.setSpan(this.parent, span), () => fn(handle));
  }
}

/**
 * Opens the spans of mesh operations. Construct one per mesh; it does no I/O.
 *
 * @example
 * ```ts
 * const tracing = new MeshTracer();
 * const hits = await tracing.operation('search', { collection: 'docs', topK: 10 }, (op) =>
 *   Promise.all(shards.map((s) => op.shard({ cluster: s.cluster, shard: s.name }, (span) => {
 *     span.setReplica(replica.id);
 *     return replica.backend.search('docs', request);
 *   }))),
 * );
 * ```
 */
export class MeshTracer {
  private readonly tracer: Tracer;

  /** @param options - The tracer provider; the global one by default. */
  constructor(options: MeshTracerOptions = {}) {
    this.tracer = tracer(options.tracerProvider);
  }

  /**
   * Runs `fn` inside a `vecmesh.<op>` span (the active span when one is, else a root). When the
   * span is a no-op (no SDK registered, nothing to propagate), `fn` runs directly with a handle
   * whose shard spans cost nothing.
   *
   * @param op - The operation.
   * @param attributes - Sizes and the collection; never ids, vectors or filters.
   * @param fn - The operation's body.
   * @returns What `fn` resolves to.
   * @throws whatever `fn` throws, after recording it on the span.
   */
  operation<T>(
    op: TracedOperation,
    attributes: OperationAttributes,
    fn: (span: OperationSpan) => Promise<T>,
  ): Promise<T> {
    const parent = context.active();
    const span = this.tracer.startSpan(
      `vecmesh.${op}`,
      { kind: SpanKind.INTERNAL, attributes: spanAttributes(op, attributes) },
      parent,
    );
    if (!isLive(span)) {
      span.end();
      return fn(NOOP_OPERATION_SPAN);
    }
    const ctx = trace.setSpan(parent, span);
    const handle = new LiveOperationSpan(this.tracer, ctx);
    return runIn(span, ctx, () => fn(handle));
  }
}

function spanAttributes(
  op: TracedOperation,
  a: OperationAttributes,
): Record<string, string | number> {
  const out: Record<string, string | number> = { 'vecmesh.operation': op };
  if (a.collection !== undefined) out['vecmesh.collection'] = a.collection;
  if (a.queries !== undefined) out['vecmesh.queries'] = a.queries;
  if (a.topK !== undefined) out['vecmesh.top_k'] = a.topK;
  if (a.points !== undefined) out['vecmesh.points'] = a.points;
  return out;
}
