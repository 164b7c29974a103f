import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { UserInputError } from "../../src/core/index.js";
import {
  exportTrace,
  parseRunFile,
  parseTraceFile,
  parseWhoAndWhen,
  TRACE_FORMATS,
  traceRun,
} from "../../src/trace/index.js";
import { festivalRecord, PRIVATE_CANARY, revenueRun } from "./fixtures.js";

async function revenueView(includePrivate = false) {
  return (await traceRun(parseRunFile(revenueRun(), "run.json"), { includePrivate })).view;
}

describe("exporters", () => {
  it("keep private content out of every format by default, values quoted elsewhere included", async () => {
    const view = await revenueView();
    for (const format of TRACE_FORMATS) {
      const out = exportTrace(view, format);
      expect(out).not.toContain(PRIVATE_CANARY);
      expect(out).not.toContain("98765");
    }
    const hr = view.nodes.find((n) => n.agent === "hr");
    expect(hr?.redacted).toBe(true);
    expect(hr?.content).toBe("[redacted]:private");
    expect(view.includesPrivate).toBe(false);
  });

  it("keep private content when the user opts in", async () => {
    const view = await revenueView(true);
    expect(exportTrace(view, "json")).toContain(PRIVATE_CANARY);
    expect(exportTrace(view, "html")).toContain("98765");
    expect(view.includesPrivate).toBe(true);
  });

  it("json is the versioned trace format with the root cause and its chain", async () => {
    const parsed = JSON.parse(exportTrace(await revenueView(), "json")) as {
      format: string;
      version: number;
      report: { rootCause: { itemId: string; chain: string[] } };
      edges: Array<{ onChain: boolean; from: string; to: string }>;
    };
    expect(parsed.format).toBe("quorum.trace");
    expect(parsed.version).toBe(1);
    expect(parsed.report.rootCause.itemId).toBe("rev-step_output-6");
    expect(parsed.edges.filter((e) => e.onChain).map((e) => `${e.from}>${e.to}`)).toEqual([
      "rev-step_output-6>rev-final_answer-7",
      "rev-final_answer-7>rev-verification-8",
    ]);
  });

  it("dot marks the root cause and the chain, and draws inferred edges dashed", async () => {
    const dot = exportTrace(await revenueView(), "dot");
    expect(dot.startsWith("digraph idg {")).toBe(true);
    expect(dot).toMatch(/"rev-step_output-6" \[label="[^"]*ROOT CAUSE"[^\]]*penwidth=2.5/);
    expect(dot).toContain('"rev-step_output-6" -> "rev-final_answer-7" [color="#e67e22", penwidth=2.5];');
    const imported = (await traceRun(parseWhoAndWhen(festivalRecord(), "f.json"))).view;
    expect(exportTrace(imported, "dot")).toMatch(/-> "s3" \[style=dashed, label="number 0\.\d+"/);
  });

  it("mermaid is a flowchart with the root cause classed and chain links styled", async () => {
    const mm = exportTrace(await revenueView(), "mermaid");
    expect(mm.split("\n")[0]).toBe("flowchart TD");
    expect(mm).toContain("class n_rev_step_output_6 root");
    expect(mm).toMatch(/linkStyle \d+,\d+ stroke:#e67e22/);
  });

  it("text names the agent, step, why, the evidence chain and the symptoms that are not causes", async () => {
    const text = exportTrace(await revenueView(), "text");
    expect(text).toContain("root cause: rev-step_output-6 (step 3, analyst, step_output)");
    expect(text).toContain("verifier rejection");
    expect(text).toContain("evidence chain: rev-step_output-6");
    expect(text).toContain("symptoms that are not causes:");
    expect(text).toContain("most responsible agent: analyst");
  });

  it("html is self-contained: inline script and style, no external URL loads, data safely embedded", async () => {
    const hostile = JSON.parse(JSON.stringify(revenueRun())) as ReturnType<typeof revenueRun>;
    const analysis = hostile.items.find((i) => i.author === "analyst");
    if (analysis) analysis.content = "1300 EUR </script><script>alert(1)</script>";
    const html = exportTrace((await traceRun(parseRunFile(hostile, "run.json"))).view, "html");
    // Embedded, but escaped so it cannot close the data element.
    expect(html).toContain("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)");
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("Content-Security-Policy");
    expect(html.match(/<script/g)?.length).toBe(2);
  });

  it("the json export reads back with the versioned schema; a saved version-1 trace still does", async () => {
    const fresh = parseTraceFile(JSON.parse(exportTrace(await revenueView(), "json")), "fresh.json");
    expect(fresh.report.rootCause?.itemId).toBe("rev-step_output-6");
    const saved = parseTraceFile(
      JSON.parse(readFileSync("tests/trace/fixtures/trace-v1.json", "utf8")),
      "trace-v1.json",
    );
    expect(saved.nodes).toHaveLength(8);
    expect(saved.includesPrivate).toBe(false);
    let caught: unknown;
    try {
      parseTraceFile(
        JSON.parse(readFileSync("tests/trace/fixtures/invalid/trace-v2.json", "utf8")),
        "trace-v2.json",
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserInputError);
    expect((caught as UserInputError).field).toBe("version");
  });
});
