// Sending a team's runs to an OpenTelemetry backend (Jaeger, Phoenix, Langfuse, Tempo, ...) over
// OTLP/HTTP from a Node 20 app: `npm install @opentelemetry/api@1.9 @opentelemetry/sdk-trace-node@2
// @opentelemetry/exporter-trace-otlp-http@0.223`, then `npx tsx examples/otel.ts [url]`.
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { createOtelObserver } from "../src/index.js";
import { quickstartTeam } from "./quickstart.js";

export async function otelExample(url = "http://127.0.0.1:4318/v1/traces") {
  const provider = new NodeTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  provider.register();
  const team = quickstartTeam({ observers: [await createOtelObserver()] });
  const result = await team.run("What is a?");
  await provider.shutdown(); // flushes the last spans before the process ends
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await otelExample(process.argv[2]);
