/**
 * Tracing through `@opentelemetry/api`: one span per mesh operation (`vecmesh.search`,
 * `vecmesh.upsert`, ...) with a child span per shard of its fan-out (`vecmesh.shard`, attributes
 * `vecmesh.cluster`, `vecmesh.shard`, `vecmesh.replica`).
 *
 * Without an OpenTelemetry SDK registered by the application, the API hands out non-recording
 * spans; {@link MeshTracer} notices that on the operation's span and then runs the operation with
 * no context switch and no shard spans at all, so the cost is one no-op `startSpan` per operation.
 *
 * `@opentelemetry/api` is an optional peer. Without it no SDK can have been registered, so the
 * tracer is a pass-through that never loads it; a `tracerProvider` given explicitly needs it.
 *
 * @module
 */
import type * as OpenTelemetryApi from '@opentelemetry/api';
import type { Context, Span, Tracer } from '@opentelemetry/api';
import { messageOf } from '../core/errors.js';
import { checkShape, loadOptional, loadOptionalIfInstalled } from '../core/optional-dependency.js';

type Api = typeof OpenTelemetryApi;

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

/**
 * The part of an OpenTelemetry `TracerProvider` that vecmesh calls: any `TracerProvider` of
 * `@opentelemetry/api` 1.x fits (an SDK's provider, or `trace.getTracerProvider()`).
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * const tracing = new MeshTracer({ tracerProvider: trace.getTracerProvider() });
 * ```
 */
export interface TracerProviderLike {
  /** The tracer of an instrumentation scope (an OpenTelemetry `Tracer`). */
  getTracer(name: string, version?: string): object;
}

/** Options of {@link MeshTracer}. */
export interface MeshTracerOptions {
  /**
   * The provider to take the tracer from. Giving one requires `@opentelemetry/api`.
   * @default the global one (`trace.getTracerProvider()`), a no-op until an SDK is registered;
   *   none at all when `@opentelemetry/api` is not installed
   */
  tracerProvider?: TracerProviderLike;
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

/** Whether a span is worth anything: recorded, or carrying a context that children must join. */
function isLive(api: Api, span: Span): boolean {
  return span.isRecording() || api.isSpanContextValid(span.spanContext());
}

function fail(api: Api, span: Span, error: unknown): void {
  if (error instanceof Error) {
    span.recordException(error);
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') span.setAttribute('vecmesh.error.code', code);
  }
  span.setStatus({
    code: api.SpanStatusCode.ERROR,
    message: messageOf(error),
  });
}

/** Runs `fn` with `span` active in `ctx`, recording its error and ending the span. */
async function runIn<T>(api: Api, span: Span, ctx: Context, fn: () => Promise<T>): Promise<T> {
  try {
    return await api.context.with(ctx, fn);
  } catch (error) {
    fail(api, span, error);
    throw error;
  } finally {
    span.end();
  }
}

class LiveOperationSpan implements OperationSpan {
  constructor(
    private readonly api: Api,
    private readonly tracer: Tracer,
    private readonly parent: Context,
  ) {}

  shard<T>(target: ShardTarget, fn: (span: ShardSpan) => Promise<T>): Promise<T> {
    const span = this.tracer.startSpan(
      'vecmesh.shard',
      {
        kind: this.api.SpanKind.CLIENT,
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
    return runIn(this.api, span, this.api.trace.setSpan(this.parent, span), () => fn(handle));
  }
}

/**
 * Opens the spans of mesh operations. Construct one per mesh; it does no I/O. Without
 * `@opentelemetry/api` installed (and no `tracerProvider`) every operation runs untraced.
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
  /** The API and the tracer, or nothing when `@opentelemetry/api` is not installed. */
  private readonly otel: { readonly api: Api; readonly tracer: Tracer } | undefined;

  /**
   * @param options - The tracer provider; the global one by default.
   * @throws `InvalidOptionError` when `tracerProvider` has no `getTracer` method.
   * @throws `MissingDependencyError` when `tracerProvider` is given and `@opentelemetry/api` is
   *   not installed.
   */
  constructor(options: MeshTracerOptions = {}) {
    const provider = options.tracerProvider;
    if (provider !== undefined) {
      checkShape(provider, 'tracerProvider', 'an OpenTelemetry TracerProvider', {
        methods: ['getTracer'],
      });
    }
    const api =
      provider === undefined
        ? loadOptionalIfInstalled('@opentelemetry/api')
        : loadOptional('@opentelemetry/api', '`new MeshTracer({ tracerProvider })`');
    if (api === undefined) return;
    // The global provider's tracer follows an SDK registered later.
    const tracer = (provider ?? api.trace.getTracerProvider()).getTracer(TRACER_NAME) as Tracer;
    this.otel = { api, tracer };
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
    const otel = this.otel;
    if (otel === undefined) return fn(NOOP_OPERATION_SPAN);
    const { api, tracer } = otel;
    const parent = api.context.active();
    const span = tracer.startSpan(
      `vecmesh.${op}`,
      { kind: api.SpanKind.INTERNAL, attributes: spanAttributes(op, attributes) },
      parent,
    );
    if (!isLive(api, span)) {
      span.end();
      return fn(NOOP_OPERATION_SPAN);
    }
    const ctx = api.trace.setSpan(parent, span);
    const handle = new LiveOperationSpan(api, tracer, ctx);
    return runIn(api, span, ctx, () => fn(handle));
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
