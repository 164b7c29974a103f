// The README's OTLP lines (examples/otel.ts) with the official Node SDK and OTLP/HTTP exporter,
// against a stand-in collector on 127.0.0.1: the team's spans arrive, in one trace.
import { trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { otelExample } from "../../examples/otel.js";
import { receivedSpans, startOtlpReceiver } from "./otlp-receiver.js";

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  trace.disable();
  await receiver.close();
});

describe("examples/otel.ts", () => {
  it("exports the run's spans over OTLP/HTTP", async () => {
    const result = await otelExample(`${receiver.base}/v1/traces`);
    expect(result.status).toBe("finished");
    expect(receiver.received.length).toBeGreaterThan(0);
    expect(receiver.received.every((r) => r.url === "/v1/traces")).toBe(true);
    const spans = receivedSpans(receiver.received);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    const names = spans.map((s) => s.name);
    expect(names).toContain("invoke_workflow quorum-team");
    expect(names).toContain("invoke_agent alpha");
    expect(names).toContain("execute_tool lookup");
    const tool = spans.find((s) => s.name === "execute_tool lookup");
    const alpha = spans.find((s) => s.name === "invoke_agent alpha");
    expect(tool?.parentSpanId).toBe(alpha?.spanId);
  });
});
