import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { QuorumError } from "../../src/core/index.js";
import { parseScenario, scenarioTool } from "../../src/graph/index.js";

const base = readFileSync("scenarios/incident-response.yaml", "utf8");

function errorOf(text: string): QuorumError {
  try {
    parseScenario(text, "s.yaml");
  } catch (e) {
    if (e instanceof QuorumError) return e;
    throw e;
  }
  throw new Error("expected an error");
}

describe("scenario files", () => {
  it("every shipped team scenario parses", () => {
    const files = readdirSync("scenarios").filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files)
      expect(() => parseScenario(readFileSync(`scenarios/${f}`, "utf8"), f)).not.toThrow();
  });

  it("names the file and line for broken YAML", () => {
    const e = errorOf("name: x\n  task: [");
    expect(e.code).toBe("user_input");
    expect(e.toLine()).toMatch(/^error\[user_input\] s\.yaml: not valid YAML \(line \d+\)/);
  });

  it("names the field of a schema error", () => {
    const e = errorOf(base.replace("name: incident-response", "name: 42"));
    expect(e.field).toBe("name");
  });

  it("rejects an unknown assignee with the known specialists as a hint", () => {
    const e = errorOf(base.replace("assignee: metrics", "assignee: nobody"));
    expect(e.field).toBe("plan.1.assignee");
    expect(e.hint).toContain("logs, metrics, deploys, responder");
  });

  it("rejects a tool the assignee does not have", () => {
    const e = errorOf(base.replace("toolCalls: [{ tool: search_logs", "toolCalls: [{ tool: page_team"));
    expect(e.field).toBe("plan.0.toolCalls.0.tool");
  });

  it("rejects dependency cycles and unknown dependencies", () => {
    expect(errorOf(base.replace("dependsOn: [cause]", "dependsOn: [nowhere]")).message).toMatch(
      /unknown step nowhere/,
    );
    const cyclic = base.replace(
      '    outputs: ["Checkout errors',
      '    dependsOn: [page]\n    outputs: ["Checkout errors',
    );
    expect(errorOf(cyclic).message).toMatch(/dependency cycle/);
  });

  it("requires exactly one planner", () => {
    const e = errorOf(base.replace("- { name: planner, role: planner }", ""));
    expect(e.message).toMatch(/exactly one planner/);
  });
});

describe("scenario tools", () => {
  it("are not idempotent unless they say so, and pass the declaration to the tool", () => {
    expect(parseScenario(base, "s.yaml").tools.every((t) => !scenarioTool(t).idempotent)).toBe(true);
    const declared = base.replace("name: page_team", "name: page_team\n    idempotent: true");
    const page = parseScenario(declared, "s.yaml").tools.find((t) => t.name === "page_team");
    expect(page && scenarioTool(page).idempotent).toBe(true);
    expect(
      errorOf(base.replace("name: page_team", "name: page_team\n    idempotent: maybe")).toLine(),
    ).toMatch(/idempotent/);
  });
});
