import type { RecordedSpan } from "./record.js";
import { OTLP_SPAN_KIND, STATUS_ERROR } from "./semconv.js";
import type { Attributes, AttributeValue } from "./spans.js";

type OtlpValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpValue[] } };

function otlpValue(v: AttributeValue): OtlpValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { arrayValue: { values: v.map((x) => ({ stringValue: x })) } };
}

function otlpAttributes(attributes: Attributes): Array<{ key: string; value: OtlpValue }> {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: otlpValue(value) }));
}

/** Milliseconds since the epoch as OTLP's nanosecond string. */
function nanos(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

/**
 * An OTLP/HTTP JSON `ExportTraceServiceRequest` (opentelemetry-proto, JSON mapping: ids in hex,
 * 64-bit integers as decimal strings, enums as numbers).
 */
export function toOtlpJson(
  spans: ReadonlyArray<RecordedSpan>,
  resource: Attributes = { "service.name": "quorum" },
): { resourceSpans: unknown[] } {
  return {
    resourceSpans: [
      {
        resource: { attributes: otlpAttributes(resource) },
        scopeSpans: [
          {
            scope: { name: "quorum" },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: OTLP_SPAN_KIND[s.kind],
              startTimeUnixNano: nanos(s.startMs),
              endTimeUnixNano: nanos(s.endMs),
              attributes: otlpAttributes(s.attributes),
              events: s.events.map((e) => ({
                name: e.name,
                timeUnixNano: nanos(e.timeMs),
                attributes: otlpAttributes(e.attributes),
              })),
              status: s.error === undefined ? {} : { code: STATUS_ERROR, message: s.error },
            })),
          },
        ],
      },
    ],
  };
}
