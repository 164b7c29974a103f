import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EventLog } from "../../src/core/index.js";
import { fromPlannerPlan } from "../../src/guards/plan/adapters.js";
import { norm } from "../../src/guards/plan/model.js";
import { loadDefaultPolicy, type Policy } from "../../src/guards/plan/policy.js";
import { evaluateRules } from "../../src/guards/plan/rules.js";
import { hasStemIn, stem, tokens } from "../../src/guards/plan/text.js";
import type { PlanStepView } from "../../src/guards/types.js";
import { plan } from "./helpers.js";

// The plan guard reads common input (ASCII text, JSON-shaped planner output) by hand; these are the
// general forms it must agree with on any input.

const referenceTokens = (text: string): string[] =>
  text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== "");

const referenceNorm = (s: string): string => s.toLowerCase().replace(/\s+/g, " ").trim();

/** Text made mostly of the characters the readers branch on, with some that are not ASCII. */
const text = fc
  .array(
    fc.constantFrom(
      "a",
      "z",
      "A",
      "Z",
      "0",
      "9",
      " ",
      "  ",
      "_",
      "-",
      ".",
      "/",
      "\t",
      "\n",
      "\u00a0",
      "\u2003",
      "\u0130",
      "\u212a",
      "\u00df",
      "\u00c9",
    ),
    { maxLength: 24 },
  )
  .map((cs) => cs.join(""));

describe("text readers agree with their general forms", () => {
  it("tokens", () => {
    fc.assert(
      fc.property(fc.oneof(text, fc.string(), fc.string({ unit: "grapheme" })), (s) => {
        expect(tokens(s)).toEqual(referenceTokens(s));
      }),
      { numRuns: 3000 },
    );
    for (const name of ["AugustSmartLockGrantGuestAccess", "HTMLParser2Go", "getURLsForID", "a1B", "ABcDEf"])
      expect(tokens(name)).toEqual(referenceTokens(name));
  });

  it("hasStemIn", () => {
    const stems = new Set(["ab", "z", "09", "a0", "smart", "lock", "html", "parser"].map(stem));
    fc.assert(
      fc.property(fc.oneof(text, fc.string()), (s) => {
        expect(hasStemIn(s, stems)).toBe(referenceTokens(s).some((t) => stems.has(stem(t))));
      }),
      { numRuns: 3000 },
    );
    expect(hasStemIn("SmartLockGrant", stems)).toBe(true);
    expect(hasStemIn("HTMLParsers", stems)).toBe(true);
    expect(hasStemIn("smartly", stems)).toBe(false);
  });

  it("norm", () => {
    fc.assert(
      fc.property(fc.oneof(text, fc.string(), fc.string({ unit: "grapheme" })), (s) => {
        expect(norm(s)).toBe(referenceNorm(s));
      }),
      { numRuns: 3000 },
    );
  });
});

/** How the planner adapter's schema reads a step's extra tool calls. */
const ExtraCalls = z.looseObject({
  toolCalls: z
    .array(z.looseObject({ tool: z.string().min(1), args: z.record(z.string(), z.unknown()).default({}) }))
    .optional(),
});

describe("planner tool calls read as the schema reads them", () => {
  const log = new EventLog();
  const task = log.add("r", { step: 0, author: "user", kind: "task", content: "email bob@example.com" });
  const view = (toolCalls: unknown): PlanStepView =>
    ({
      id: "s1",
      assignee: "a",
      tool: "fallback",
      args: { q: "x" },
      dependsOn: [],
      toolCalls,
    }) as PlanStepView;
  const expected = (toolCalls: unknown) => {
    const parsed = ExtraCalls.safeParse(view(toolCalls));
    const calls = parsed.success ? parsed.data.toolCalls : undefined;
    return (calls !== undefined && calls.length > 0 ? calls : [{ tool: "fallback", args: { q: "x" } }]).map(
      (c) => ({ tool: c.tool, args: c.args }),
    );
  };
  const read = (toolCalls: unknown) =>
    fromPlannerPlan({ log, runId: "r", task, steps: [view(toolCalls)] }).steps.map((s) => ({
      tool: s.tool,
      args: s.args,
    }));
  const odd: unknown[] = [
    undefined,
    null,
    [],
    [null],
    [{ tool: "" }],
    [{ tool: "a" }],
    [{ tool: "a", args: [1] }],
    [{ tool: "a", args: null }],
    [{ tool: "a", args: { 2: "b", 1: "a", to: "c@example.com" } }],
    [{ tool: "a", args: JSON.parse('{"__proto__": {"to": "x@example.com"}, "b": 1}') }],
    [{ tool: "a", args: Object.assign(Object.create(null), { to: "n@example.com" }) }],
    [{ tool: "a", args: { [Symbol("s")]: 1, to: "s@example.com" } }],
    [{ tool: "a", args: { constructor: "c", to: "k@example.com" } }],
    [{ tool: "a", args: new Date(0) }],
    [{ tool: "a", args: { to: undefined } }, { tool: "b" }],
    [{ tool: "a", args: {} }, 5],
  ];

  it("on odd input", () => {
    for (const toolCalls of odd) expect(read(toolCalls)).toStrictEqual(expected(toolCalls));
  });

  it("on JSON input", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (toolCalls) => {
        expect(read(toolCalls)).toStrictEqual(expected(toolCalls));
      }),
      { numRuns: 500 },
    );
    const call = fc.record({
      tool: fc.string(),
      args: fc.option(fc.dictionary(fc.string(), fc.jsonValue())),
    });
    fc.assert(
      fc.property(fc.array(call, { maxLength: 3 }), (calls) => {
        const toolCalls = calls.map((c) => (c.args === null ? { tool: c.tool } : c));
        expect(read(toolCalls)).toStrictEqual(expected(toolCalls));
      }),
      { numRuns: 500 },
    );
  });
});

describe("resource-use patterns", () => {
  const base = loadDefaultPolicy();
  const withPatterns = (patterns: string[]): Policy => ({
    ...base,
    rules: base.rules.flatMap((r) => (r.kind === "resource-use" ? [{ ...r, patterns }] : [])),
  });
  const fires = (policy: Policy, value: string) =>
    evaluateRules(plan({ userRequest: "go", steps: [{ tool: "Run", args: { cmd: value } }] }), policy)
      .length > 0;

  it("each pattern matches as it does alone, group references included", () => {
    const policy = withPatterns(["(q)", "(x)\\1", "(?<w>y)\\k<w>"]);
    expect(fires(policy, "xx")).toBe(true);
    expect(fires(policy, "yy")).toBe(true);
    expect(fires(policy, "xq")).toBe(true);
    expect(fires(policy, "xy")).toBe(false);
    const plain = withPatterns(["\\bmkfs\\b", "^a+$"]);
    expect(fires(plain, "run mkfs now")).toBe(true);
    expect(fires(plain, "AAA")).toBe(true);
    expect(fires(plain, "mkfsx b")).toBe(false);
  });
});
