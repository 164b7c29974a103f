import { randomBytes } from "node:crypto";
import { type RunFile, teamEventsOf } from "../../core/index.js";
import { SpanObserver } from "./observer.js";
import type { SpanKindName } from "./semconv.js";
import type { Attributes, SpanHandle, SpanTarget } from "./spans.js";

/** A finished span as plain data: what an OTLP exporter sends. */
export interface RecordedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKindName;
  startMs: number;
  endMs: number;
  attributes: Attributes;
  events: Array<{ name: string; timeMs: number; attributes: Attributes }>;
  error?: string;
}

const hex = (bytes: number) => () => randomBytes(bytes).toString("hex");

/** A span target that keeps spans as data (no OpenTelemetry SDK needed). */
export class SpanRecorder implements SpanTarget {
  readonly spans: RecordedSpan[] = [];
  private readonly byHandle = new WeakMap<SpanHandle, RecordedSpan>();

  constructor(
    private readonly traceId: () => string = hex(16),
    private readonly spanId: () => string = hex(8),
  ) {}

  startSpan(
    name: string,
    options: { kind: SpanKindName; attributes: Attributes; startMs: number },
    parent: SpanHandle | undefined,
  ): SpanHandle {
    const up = parent ? this.byHandle.get(parent) : undefined;
    const span: RecordedSpan = {
      traceId: up?.traceId ?? this.traceId(),
      spanId: this.spanId(),
      ...(up ? { parentSpanId: up.spanId } : {}),
      name,
      kind: options.kind,
      startMs: options.startMs,
      endMs: options.startMs,
      attributes: { ...options.attributes },
      events: [],
    };
    let ended = false;
    const handle: SpanHandle = {
      addEvent: (n, attributes, timeMs) => {
        if (!ended) span.events.push({ name: n, timeMs, attributes });
      },
      setAttributes: (attributes) => {
        if (!ended) Object.assign(span.attributes, attributes);
      },
      setError: (message) => {
        if (!ended) span.error = message;
      },
      end: (timeMs) => {
        if (ended) return;
        ended = true;
        span.endMs = Math.max(timeMs, span.startMs);
        this.spans.push(span);
      },
    };
    this.byHandle.set(handle, span);
    return handle;
  }
}

/**
 * The spans of a saved run, built from the same events as a live run. A run file keeps no clock
 * times, so the spans keep the run's order and nesting on a synthetic clock: one millisecond per
 * event, ending at `endMs` (now by default); the root span says so (`quorum.time = "synthetic"`).
 */
export function spansOfRunFile(
  run: RunFile,
  options: { workflow?: string; endMs?: number; recorder?: SpanRecorder } = {},
): RecordedSpan[] {
  const events = teamEventsOf(run);
  const start = (options.endMs ?? Date.now()) - events.length;
  let tick = start;
  const recorder = options.recorder ?? new SpanRecorder();
  const observer = new SpanObserver(
    recorder,
    options.workflow ?? run.scenario ?? "quorum-team",
    () => tick++,
  );
  for (const event of events) observer.onEvent(event);
  const root = recorder.spans.find((s) => s.parentSpanId === undefined);
  if (root) root.attributes["quorum.time"] = "synthetic";
  return recorder.spans;
}
