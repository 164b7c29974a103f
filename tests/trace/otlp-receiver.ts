import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface OtlpRequest {
  url: string;
  type: string;
  body: unknown;
}

/** A stand-in OTLP/HTTP collector on 127.0.0.1 that keeps what it is sent and answers `status`. */
export async function startOtlpReceiver() {
  const received: OtlpRequest[] = [];
  const state = { status: 200 };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      received.push({ url: req.url ?? "", type: req.headers["content-type"] ?? "", body: JSON.parse(body) });
      res.writeHead(state.status, { "content-type": "application/json" });
      res.end(state.status === 200 ? "{}" : '{"message":"refused"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    state,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** OTLP JSON spans of every request received, in order. */
export function receivedSpans(received: ReadonlyArray<OtlpRequest>): OtlpSpan[] {
  return received.flatMap((r) =>
    (r.body as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }).resourceSpans.flatMap(
      (rs) => rs.scopeSpans.flatMap((ss) => ss.spans),
    ),
  );
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
  events: Array<{ name: string }>;
}
