import { describe, expect, it } from "vitest";
import { buildIdg, extractTokens, parseRunFile, parseWhoAndWhen, upstream } from "../../src/trace/index.js";
import { festivalRecord, importedItems as imported, revenueRun } from "./fixtures.js";

describe("IDG on our own run file", () => {
  it("has exactly the derivedFrom edges, all exact, none inferred", () => {
    const input = parseRunFile(revenueRun(), "run.json");
    const idg = buildIdg(input);
    expect(idg.source).toBe("run");
    const edges = idg.edges.map((e) => `${e.from}>${e.to}:${e.kind}:${e.confidence}`).sort();
    expect(edges).toEqual(
      [
        "rev-task-1>rev-plan-2:derived:1",
        "rev-task-1>rev-memory_write-3:derived:1",
        "rev-plan-2>rev-tool_call-4:derived:1",
        "rev-tool_call-4>rev-tool_result-5:derived:1",
        "rev-plan-2>rev-step_output-6:derived:1",
        "rev-tool_result-5>rev-step_output-6:derived:1",
        "rev-memory_write-3>rev-step_output-6:derived:1",
        "rev-step_output-6>rev-final_answer-7:derived:1",
        "rev-final_answer-7>rev-verification-8:derived:1",
        "rev-tool_result-5>rev-verification-8:derived:1",
      ].sort(),
    );
    expect(idg.node("rev-tool_result-5")?.role).toBe("tool");
    expect(idg.node("rev-task-1")?.role).toBe("task");
    expect([...upstream(idg, "rev-final_answer-7")].sort()).toEqual(
      [
        "rev-memory_write-3",
        "rev-plan-2",
        "rev-step_output-6",
        "rev-task-1",
        "rev-tool_call-4",
        "rev-tool_result-5",
      ].sort(),
    );
  });
});

describe("inferred edges on imported logs", () => {
  it("links a reused number, URL and file name to where they first appeared, with kind and confidence", () => {
    const items = imported([
      ["planner", "Read the figures in sales_2023.csv and the notes at https://data.example.org/notes"],
      ["terminal", "exitcode: 0\nCode output: total 48213.5 units"],
      ["analyst", "Per sales_2023.csv the total is 48213.5 units (see https://data.example.org/notes)."],
    ]);
    const idg = buildIdg({ source: "imported", items });
    const into = (id: string) =>
      idg
        .parents(id)
        .map((e) => `${e.from}:${e.kind}`)
        .sort();
    expect(into("s2")).toEqual(["s0:file", "s0:url", "s1:number"]);
    expect(into("s1")).toEqual([]);
    for (const e of idg.edges) {
      expect(e.kind).not.toBe("derived");
      expect(e.confidence).toBeGreaterThan(0);
      expect(e.confidence).toBeLessThan(1);
      expect(e.evidence.length).toBeGreaterThan(0);
    }
    const num = idg.edges.find((e) => e.kind === "number");
    expect(num?.evidence).toEqual(["48213.5"]);
  });

  it("links quoted strings, code identifiers and named entities", () => {
    const items = imported([
      ["coder", "def load_inventory(path):\n    return rows\nThe warehouse is run by Helena Marsh."],
      [
        "reviewer",
        'Calling load_inventory twice; "quarterly stock report" is the title Helena Marsh asked for.',
      ],
      ["writer", 'The "quarterly stock report" is ready.'],
    ]);
    const idg = buildIdg({ source: "imported", items });
    const kinds = (from: string, to: string) =>
      idg.edges
        .filter((e) => e.from === from && e.to === to)
        .map((e) => e.kind)
        .sort();
    expect(kinds("s0", "s1")).toEqual(["entity", "identifier"]);
    expect(kinds("s1", "s2")).toEqual(["quote"]);
  });

  it("ignores agent names and links each reuse to the first and the latest occurrence only", () => {
    // 200 items repeating one value: edges grow linearly (at most two per reuse), never pairwise.
    const texts: Array<[string, string]> = [];
    for (let i = 0; i < 200; i++)
      texts.push([i % 2 ? "Alpha_Agent" : "Beta_Agent", `Alpha_Agent reports code 98765 at ${i}`]);
    const idg = buildIdg({ source: "imported", items: imported(texts) });
    const numberEdges = idg.edges.filter((e) => e.kind === "number" && e.evidence.includes("98765"));
    expect(numberEdges.length).toBe(1 + 2 * 198);
    expect(idg.edges.some((e) => e.evidence.some((x) => x.includes("Alpha_Agent")))).toBe(false);
  });

  it("does not take JSON keys or URL digits for values", () => {
    const tokens = extractTokens('{"total_count": 3} at https://x.example.org/page/2024');
    expect(tokens.map((t) => t.key)).not.toContain("quote:total_count");
    expect(tokens.map((t) => t.key)).not.toContain("number:2024");
    expect(tokens.map((t) => t.key)).toContain("url:https://x.example.org/page/2024");
  });

  it("infers edges for an imported Who&When log", () => {
    const input = parseWhoAndWhen(festivalRecord(), "festival.json");
    const idg = buildIdg(input);
    expect(idg.source).toBe("imported");
    // The math expert reuses the terminal's 7200 and 8200.
    const fromTool = idg.parents("s3").filter((e) => e.from === "s2");
    expect(fromTool.map((e) => e.kind)).toEqual(["number"]);
    expect(fromTool[0]?.evidence.sort()).toEqual(["7200", "8200"]);
  });
});
