import type { TeamObserver } from "../../core/index.js";
import { SpanObserver } from "./observer.js";
import { API_SPAN_KIND, STATUS_ERROR } from "./semconv.js";
import type { Attributes, SpanHandle, SpanTarget } from "./spans.js";

/** The parts of an OpenTelemetry `Span` used here (structural, so the API stays optional). */
export interface OtelSpanLike {
  addEvent(name: string, attributes?: Attributes, time?: number): unknown;
  setAttributes(attributes: Attributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(time?: number): void;
}

/** The parts of an OpenTelemetry `Tracer` used here. */
export interface OtelTracerLike {
  startSpan(
    name: string,
    options?: { kind?: number; attributes?: Attributes; startTime?: number },
    context?: unknown,
  ): OtelSpanLike;
}

export interface OtelObserverOptions {
  /** Defaults to `trace.getTracer("quorum")` of the installed `@opentelemetry/api`. */
  tracer?: OtelTracerLike;
  /** The workflow name on each run's root span (`invoke_workflow <name>`); `quorum-team` by default. */
  workflow?: string;
}

type OtelApi = typeof import("@opentelemetry/api");

/**
 * A team observer that emits each run as OpenTelemetry spans, live, through `@opentelemetry/api`
 * (an optional peer dependency): exporting them is the app's choice of SDK and exporter. Without
 * the API installed it is a no-op observer, so a team runs the same either way.
 */
export async function createOtelObserver(options: OtelObserverOptions = {}): Promise<TeamObserver> {
  let api: OtelApi;
  try {
    api = await import("@opentelemetry/api");
  } catch {
    return { onEvent: () => {} };
  }
  const tracer = options.tracer ?? api.trace.getTracer("quorum");
  return new SpanObserver(apiTarget(api, tracer), options.workflow ?? "quorum-team");
}

function apiTarget(api: OtelApi, tracer: OtelTracerLike): SpanTarget {
  const spans = new WeakMap<SpanHandle, OtelSpanLike>();
  return {
    startSpan(name, options, parent) {
      const parentSpan = parent ? spans.get(parent) : undefined;
      // Every run is its own trace unless the app runs it inside a span of its own.
      const context = parentSpan
        ? api.trace.setSpan(api.context.active(), parentSpan as unknown as import("@opentelemetry/api").Span)
        : api.context.active();
      const span = tracer.startSpan(
        name,
        { kind: API_SPAN_KIND[options.kind], attributes: options.attributes, startTime: options.startMs },
        context,
      );
      const handle: SpanHandle = {
        addEvent: (n, attributes, time) => void span.addEvent(n, attributes, time),
        setAttributes: (attributes) => void span.setAttributes(attributes),
        setError: (message) => void span.setStatus({ code: STATUS_ERROR, message }),
        end: (time) => span.end(time),
      };
      spans.set(handle, span);
      return handle;
    },
  };
}
