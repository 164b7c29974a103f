// `quorum trace <run.json> --otlp <url>` (and `--events`) on the built CLI, against an OTLP/HTTP receiver this
// test starts on 127.0.0.1: the payload is a valid JSON ExportTraceServiceRequest with the run's
// span tree, and a bad URL, a closed port or a refusing receiver exit 2 with one line.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunFileSchema, TeamEventSchema, teamEventsOf } from "../../src/core/index.js";
import { toRunFile, writeRunFile } from "../../src/graph/runfile.js";
import { smallTeam } from "../graph/fixtures.js";
import { type OtlpSpan, receivedSpans, startOtlpReceiver } from "../trace/otlp-receiver.js";

const dir = mkdtempSync(join(tmpdir(), "quorum-otlp-"));
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI, asynchronously: the receiver lives in this process and must keep answering. */
function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/quorum.js", ...args], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

async function savedRun(): Promise<string> {
  const team = smallTeam();
  const result = await team.run("combine a and b");
  return writeRunFile(dir, toRunFile(result, { task: "combine a and b", agents: team.agentNames }));
}

describe("quorum trace --otlp", () => {
  it("posts the run's span tree as OTLP/HTTP JSON to /v1/traces", async () => {
    const file = await savedRun();
    const { received } = receiver;
    received.length = 0;
    const r = await cli(["trace", file, "--otlp", receiver.base]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^sent \d+ spans to http:\/\/127\.0\.0\.1:\d+\/v1\/traces\n$/);
    expect(received).toHaveLength(1);
    const got = received[0] as (typeof received)[number];
    expect(got.url).toBe("/v1/traces");
    expect(got.type).toBe("application/json");
    const body = got.body as { resourceSpans: Array<{ resource: { attributes: unknown[] } }> };
    const spans = receivedSpans(received);
    expect(Number(r.stderr.match(/sent (\d+)/)?.[1])).toBe(spans.length);
    expect(body.resourceSpans[0]?.resource.attributes).toContainEqual({
      key: "service.name",
      value: { stringValue: "quorum" },
    });
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    for (const s of spans) {
      expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(s.startTimeUnixNano).toMatch(/^\d{19}$/);
      expect(BigInt(s.startTimeUnixNano) <= BigInt(s.endTimeUnixNano)).toBe(true);
    }
    const roots = spans.filter((s) => s.parentSpanId === undefined);
    expect(roots.map((s) => s.name)).toEqual(["invoke_workflow quorum-team"]);
    const ids = new Set(spans.map((s) => s.spanId));
    for (const s of spans) if (s.parentSpanId) expect(ids.has(s.parentSpanId)).toBe(true);
    const names = spans.map((s) => s.name);
    expect(names.filter((n) => n === "execute_tool lookup")).toHaveLength(2);
    expect(names).toContain("invoke_agent planner");
    const opName = (s: OtlpSpan) => s.attributes.find((a) => a.key === "gen_ai.operation.name")?.value;
    expect(opName(spans.find((s) => s.name === "execute_tool notify") as OtlpSpan)).toEqual({
      stringValue: "execute_tool",
    });
    // OTLP numbers span kinds from 1 (internal).
    expect(new Set(spans.map((s) => s.kind))).toEqual(new Set([1]));
  });

  it("a receiver that refuses, a closed port and a bad URL each exit 2 with one line", async () => {
    const file = await savedRun();
    receiver.state.status = 500;
    const refused = await cli(["trace", file, "--otlp", `${receiver.base}/v1/traces`]);
    receiver.state.status = 200;
    const closed = await cli(["trace", file, "--otlp", "http://127.0.0.1:9/v1/traces"]);
    const bad = await cli(["trace", file, "--otlp", "not a url"]);
    for (const [r, text] of [
      [refused, "answered 500"],
      [closed, "cannot reach"],
      [bad, "not a URL"],
    ] as const) {
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^error\[user_input\] /);
      expect(lines[0]).toContain(text);
    }
  });
});

describe("quorum trace --events", () => {
  it("prints the run's team events, one JSON line each, as teamEventsOf gives them", async () => {
    const file = await savedRun();
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ["bin/quorum.js", "trace", file, "--events"], {
        stdio: ["ignore", "pipe", "ignore"],
      });
      let stdout = "";
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
      });
      child.on("close", (code) => resolve({ code, stdout }));
    });
    expect(out.code).toBe(0);
    const lines = out.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as unknown);
    for (const l of lines) expect(TeamEventSchema.safeParse(l).success).toBe(true);
    const run = RunFileSchema.parse(JSON.parse(readFileSync(file, "utf8")));
    expect(lines).toEqual(teamEventsOf(run));
    expect(lines.at(-1)).toMatchObject({ type: "run.finished", status: "finished" });
  });
});
