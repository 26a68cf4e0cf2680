/**
 * A tiny in-memory OpenTelemetry tracer provider and an AsyncLocalStorage context manager,
 * written against the `@opentelemetry/api` interfaces only (no SDK), for tests.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import {
  ROOT_CONTEXT,
  SpanStatusCode,
  TraceFlags,
  context as contextApi,
  isSpanContextValid,
  trace,
  type Context,
  type ContextManager,
  type Exception,
  type Span,
  type Attributes,
  type SpanContext,
  type SpanKind,
  type SpanOptions,
  type SpanStatus,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';

type Value = Parameters<Span['setAttribute']>[1];

/** A finished or running span as the test sees it. */
export class TestSpan implements Span {
  readonly attributes: Record<string, Value> = {};
  readonly events: { name: string; attributes?: Attributes }[] = [];
  readonly exceptions: Exception[] = [];
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  ended = false;

  constructor(
    public name: string,
    readonly kind: SpanKind | undefined,
    private readonly context: SpanContext,
    readonly parentSpanId: string | undefined,
    attributes: Attributes | undefined,
  ) {
    if (attributes) this.setAttributes(attributes);
  }

  spanContext(): SpanContext {
    return this.context;
  }
  setAttribute(key: string, value: Value): this {
    this.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    for (const [k, v] of Object.entries(attributes)) if (v !== undefined) this.attributes[k] = v;
    return this;
  }
  addEvent(name: string, attributes?: unknown): this {
    this.events.push({ name, attributes: attributes as Attributes });
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.status = status;
    return this;
  }
  updateName(name: string): this {
    this.name = name;
    return this;
  }
  end(): void {
    this.ended = true;
  }
  isRecording(): boolean {
    return !this.ended;
  }
  recordException(exception: Exception): void {
    this.exceptions.push(exception);
  }
}

class TestTracer implements Tracer {
  constructor(private readonly spans: TestSpan[]) {}

  startSpan(name: string, options: SpanOptions = {}, ctx?: Context): TestSpan {
    const parent = trace.getSpanContext(ctx ?? contextApi.active());
    const valid = parent !== undefined && isSpanContextValid(parent);
    const span = new TestSpan(
      name,
      options.kind,
      {
        traceId: valid ? parent.traceId : randomBytes(16).toString('hex'),
        spanId: randomBytes(8).toString('hex'),
        traceFlags: TraceFlags.SAMPLED,
      },
      valid ? parent.spanId : undefined,
      options.attributes,
    );
    this.spans.push(span);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    ...rest: unknown[]
  ): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = (rest.length > 1 ? rest[0] : {}) as SpanOptions;
    const parent = (rest.length > 2 ? rest[1] : contextApi.active()) as Context;
    const span = this.startSpan(name, options, parent);
    return contextApi.with(trace.setSpan(parent, span), () => fn(span)) as ReturnType<F>;
  }
}

/** Collects every span of every tracer it hands out. */
export class TestTracerProvider implements TracerProvider {
  readonly spans: TestSpan[] = [];
  readonly scopes: string[] = [];

  getTracer(name: string): Tracer {
    this.scopes.push(name);
    return new TestTracer(this.spans);
  }

  /** The spans named `name`. */
  named(name: string): TestSpan[] {
    return this.spans.filter((s) => s.name === name);
  }
}

/** Context propagation across `await` through AsyncLocalStorage (what SDKs install). */
export class TestContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run<ReturnType<F>>(ctx, () => Reflect.apply(fn, thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}
