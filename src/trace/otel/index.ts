export {
  createOtelObserver,
  type OtelObserverOptions,
  type OtelSpanLike,
  type OtelTracerLike,
} from "./api.js";
export { SpanObserver } from "./observer.js";
export { toOtlpJson } from "./otlp.js";
export { type RecordedSpan, SpanRecorder, spansOfRunFile } from "./record.js";
export type { Attributes, AttributeValue, SpanHandle, SpanTarget } from "./spans.js";
