import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { UserInputError } from "../../src/core/index.js";
import { entryAgent, loadTraceFile, parseTraceDocument, parseWhoAndWhen } from "../../src/trace/index.js";
import { ferryRecord, festivalRecord } from "./fixtures.js";

const FIX = "tests/trace/fixtures";

async function failure(p: Promise<unknown>): Promise<UserInputError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof UserInputError) return error;
    throw error;
  }
  throw new Error("expected a UserInputError");
}

describe("Who&When importer", () => {
  it("reads the algorithm-generated shape: agent is `name`, step is the history index", () => {
    const input = parseWhoAndWhen(festivalRecord(), "festival.json");
    expect(input.split).toBe("algorithm-generated");
    expect(input.items.map((i) => i.author)).toEqual([
      "Events_Expert",
      "Data_Expert",
      "Computer_terminal",
      "Math_Expert",
      "Verification_Expert",
      "Verification_Expert",
    ]);
    expect(input.items.map((i) => i.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(input.items[2]?.kind).toBe("tool_result");
    expect(input.labels).toEqual({
      mistakeAgent: "Math_Expert",
      mistakeStep: 3,
      mistakeReason: "Replaced a measured figure with an assumed one.",
    });
    expect(input.groundTruth).toBe("15400");
  });

  it("reads the hand-crafted shape: agent is the role without its parenthesised suffix", () => {
    const input = parseWhoAndWhen(ferryRecord(), "ferry.json");
    expect(input.split).toBe("hand-crafted");
    expect(input.items.map((i) => i.author)).toEqual([
      "human",
      "Orchestrator",
      "Orchestrator",
      "WebSurfer",
      "Orchestrator",
      "Orchestrator",
      "Assistant",
      "Orchestrator",
    ]);
    expect(input.items[0]?.kind).toBe("task");
    expect(input.finalAnswer).toBe("Grey Gull");
    expect(input.labels?.mistakeStep).toBe(3);
    expect(entryAgent({ role: "Orchestrator (-> WebSurfer)" })).toBe("Orchestrator");
    expect(entryAgent({ role: "user", name: "Some_Expert" })).toBe("Some_Expert");
  });

  it("takes the split from the folder name when there is one", () => {
    const input = parseWhoAndWhen(festivalRecord(), "x.json", "hand-crafted/x.json");
    expect(input.split).toBe("hand-crafted");
  });

  it("rejects malformed records with the file and the field", async () => {
    const missing = await failure(loadTraceFile(`${FIX}/invalid/missing-role.json`));
    expect(missing.file).toBe(`${FIX}/invalid/missing-role.json`);
    expect(missing.field).toBe("history.2.role");
    const range = await failure(loadTraceFile(`${FIX}/invalid/step-out-of-range.json`));
    expect(range.field).toBe("mistake_step");
    expect(range.hint).toMatch(/0-based/);
    const notJson = await failure(loadTraceFile(`${FIX}/invalid/not-json.txt`));
    expect(notJson.message).toMatch(/not valid JSON/);
    const unknown = await failure(loadTraceFile(`${FIX}/invalid/unknown-shape.json`));
    expect(unknown.hint).toMatch(/history/);
    const absent = await failure(loadTraceFile(`${FIX}/does-not-exist.json`));
    expect(absent.message).toMatch(/cannot read/);
  });
});

describe("run-file importer", () => {
  it("reads our run file with exact provenance", async () => {
    const input = await loadTraceFile(`${FIX}/run-v1.json`);
    expect(input.source).toBe("run");
    expect(input.items).toHaveLength(8);
    expect(input.status).toBe("failed");
    expect(input.finalAnswer).toBe("Northwind Q3 revenue: 1300 EUR");
  });

  it("names the field of an invalid run file", () => {
    const raw: unknown = JSON.parse(readFileSync(`${FIX}/invalid/run-negative-step.json`, "utf8"));
    let caught: unknown;
    try {
      parseTraceDocument(raw, "bad-run.json");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserInputError);
    expect((caught as UserInputError).field).toBe("items.1.step");
    expect((caught as UserInputError).file).toBe("bad-run.json");
  });
});
