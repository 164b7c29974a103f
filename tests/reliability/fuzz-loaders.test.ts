// Issue 7.4: property-based fuzzing of every loader with mutated valid inputs and random inputs.
// Each loader either accepts the input or throws a user-input QuorumError naming the file and a
// field (or a line), in one line. Seeded (see helpers.ts), reproducible, over 10,000 cases a run.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import type { QuorumError, RunFile } from "../../src/core/index.js";
import { fromZodError } from "../../src/core/index.js";
import { fromPublished, fromYaml, loadScenarioFile } from "../../src/eval/compositional/load.js";
import { type LoadProblem, loadMagpie, normaliseRow, parseTsv } from "../../src/eval/magpie/loader.js";
import { loadPlanRiskData } from "../../src/eval/plan-risk/data.js";
import { toRunFile } from "../../src/graph/runfile.js";
import { parseScenario } from "../../src/graph/scenario.js";
import { createPlanGuard } from "../../src/guards/plan/guard.js";
import { fromPlanFile, PlanFileSchema } from "../../src/guards/plan/model.js";
import { parsePolicy, validatePolicy } from "../../src/guards/plan/policy.js";
import { exportTrace, parseTraceDocument, TRACE_FORMATS, traceRun } from "../../src/trace/index.js";
import { smallTeam } from "../graph/fixtures.js";
import { seedParams } from "./helpers.js";
import {
  expectCleanOutcome,
  expectCleanOutcomeAsync,
  KNOWN_BUGS,
  knownBugHits,
  mutatedDoc,
  mutatedText,
  type Outcome,
  randomText,
  randomValue,
} from "./mutate.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const read = (rel: string) => readFileSync(join(ROOT, rel), "utf8");
const tmp = mkdtempSync(join(tmpdir(), "quorum-fuzz-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Cases per loader and input kind; the sum is the suite's total. */
const RUNS = {
  scenarioText: 250,
  scenarioDoc: 250,
  scenarioRandom: 400,
  compositionalPublished: 1650,
  compositionalYaml: 1000,
  compositionalRandom: 400,
  compositionalFiles: 150,
  magpieRow: 2000,
  magpieRandom: 500,
  magpieFiles: 200,
  planRecords: 800,
  planRandom: 300,
  whoAndWhen: 1200,
  whoAndWhenRandom: 400,
  runFile: 350,
  runFileRandom: 300,
  policyText: 60,
  policyDoc: 500,
  policyRandom: 300,
  planFile: 1500,
} as const;
// Generous per-test limits: the machine may be shared; nothing here asserts on time.
vi.setConfig({ testTimeout: 120_000 });
let casesRun = 0;
const outcomes = new Map<string, Outcome>();
function outcome(name: string): Outcome {
  let o = outcomes.get(name);
  if (!o) {
    o = { ok: 0, refused: 0 };
    outcomes.set(name, o);
  }
  casesRun += 1;
  return o;
}

/** A small valid scenario: YAML parsing dominates the cost, so most cases start from this one. */
const SMALL_SCENARIO = `version: 1
name: tiny
task: Look up the order and tell the customer.
agents:
  - { name: planner, role: planner }
  - { name: clerk, role: specialist, tools: [lookup, mail] }
  - { name: verifier, role: verifier }
  - { name: supervisor, role: supervisor }
tools:
  - name: lookup
    args: { id: string }
    results: [{ when: { id: "7" }, value: { state: shipped } }, { error: unknown order }]
  - name: mail
    effects: [sends_outside]
    sinks: [email]
    args: { to: string, text: string }
    results: [{ value: { sent: true } }]
memory:
  - { key: note, owner: supervisor, value: "ring first", sensitivity: private, audience: [supervisor] }
plan:
  - id: find
    assignee: clerk
    toolCalls: [{ tool: lookup, args: { id: "7" } }]
    outputs: ["order 7 is {{0.state}}"]
    expect: { contains: [shipped] }
  - id: tell
    assignee: clerk
    dependsOn: [find]
    reads: [note]
    toolCalls: [{ tool: mail, args: { to: a@example.org, text: shipped } }]
final: { answer: "{{find}}", expect: { contains: ["order 7"] } }
budgets: { maxSteps: 20 }
`;
const SCENARIO_SEEDS = [
  ...Array.from({ length: 14 }, () => SMALL_SCENARIO),
  ...readdirSync(join(ROOT, "scenarios"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => read(`scenarios/${f}`)),
];

describe("team scenario YAML (parseScenario)", () => {
  const FILE = "scenario.yaml";
  it("mutated text", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SCENARIO_SEEDS).chain((s) => mutatedText(s)),
        (text) => expectCleanOutcome(outcome("scenario"), FILE, () => parseScenario(text, FILE)),
      ),
      seedParams(RUNS.scenarioText),
    );
  });
  it("mutated documents", () => {
    const docs = [parseYaml(SMALL_SCENARIO) as unknown];
    fc.assert(
      fc.property(
        fc.constantFrom(...docs).chain((d) => mutatedDoc(d)),
        (doc) =>
          expectCleanOutcome(outcome("scenario"), FILE, () => parseScenario(toYaml(doc ?? null), FILE)),
      ),
      seedParams(RUNS.scenarioDoc),
    );
  });
  it("random input", () => {
    fc.assert(
      fc.property(randomText, (text) =>
        expectCleanOutcome(outcome("scenario"), FILE, () => parseScenario(text, FILE)),
      ),
      seedParams(RUNS.scenarioRandom),
    );
  });
});

describe("compositional scenarios (published JSON and our YAML)", () => {
  const published = ["bakery", "garden"].map(
    (n) => JSON.parse(read(`tests/privacy/fixtures/compositional/${n}.json`)) as unknown,
  );
  const yamlDocs = readdirSync(join(ROOT, "scenarios/privacy"))
    .filter((f) => f.startsWith("compositional-"))
    .map((f) => parseYaml(read(`scenarios/privacy/${f}`)) as unknown);
  const FILE = "comp.json";
  it("mutated published records", () => {
    fc.assert(
      fc.property(fc.constantFrom(...published).chain(mutatedDoc), (doc) =>
        expectCleanOutcome(outcome("compositional"), FILE, () => fromPublished(doc, FILE)),
      ),
      seedParams(RUNS.compositionalPublished),
    );
  });
  it("mutated YAML scenarios", () => {
    fc.assert(
      fc.property(fc.constantFrom(...yamlDocs).chain(mutatedDoc), (doc) =>
        expectCleanOutcome(outcome("compositional"), FILE, () => fromYaml(doc, FILE)),
      ),
      seedParams(RUNS.compositionalYaml),
    );
  });
  it("random values", () => {
    fc.assert(
      fc.property(randomValue, (doc) => {
        expectCleanOutcome(outcome("compositional"), FILE, () => fromPublished(doc, FILE));
        expectCleanOutcome(outcome("compositional"), FILE, () => fromYaml(doc, FILE));
      }),
      seedParams(RUNS.compositionalRandom / 2),
    );
  });
  it("mutated files through loadScenarioFile (JSON and YAML text)", () => {
    const texts = [
      ...published.map((p) => ({ ext: ".json", text: JSON.stringify(p, null, 2) })),
      ...yamlDocs.map((d) => ({ ext: ".yaml", text: toYaml(d) })),
    ];
    let n = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...texts).chain((t) => mutatedText(t.text).map((text) => ({ ext: t.ext, text }))),
        ({ ext, text }) => {
          const file = join(tmp, `comp-${n++}${ext}`);
          writeFileSync(file, text);
          expectCleanOutcome(outcome("compositional"), file, () => loadScenarioFile(file));
        },
      ),
      seedParams(RUNS.compositionalFiles),
    );
  });
});

describe("MAGPIE rows", () => {
  const rows = read("tests/magpie/fixtures/rows.jsonl")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .flatMap((l) => {
      // The fixture carries one deliberately broken line; only whole rows are seeds.
      try {
        return [JSON.parse(l) as unknown];
      } catch {
        return [];
      }
    });
  /** normaliseRow reports problems instead of throwing: each must name its file and a field. */
  const check = (value: unknown) => {
    const problems: LoadProblem[] = [];
    const o = outcome("magpie");
    let result: unknown;
    try {
      result = normaliseRow(value, "rows.jsonl", 3, problems);
    } catch (error) {
      throw new Error(
        `normaliseRow threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`,
      );
    }
    for (const p of problems) {
      expect(p.file).toBe("rows.jsonl");
      expect(p.field.length).toBeGreaterThan(0);
      expect(p.message).not.toContain("\n");
    }
    if (result === null) {
      expect(problems.length).toBeGreaterThan(0);
      o.refused += 1;
    } else o.ok += 1;
  };
  it("mutated rows", () => {
    fc.assert(fc.property(fc.constantFrom(...rows).chain(mutatedDoc), check), seedParams(RUNS.magpieRow));
  });
  it("random rows", () => {
    fc.assert(fc.property(randomValue, check), seedParams(RUNS.magpieRandom));
  });
  it("mutated .jsonl, .tsv and .json files through loadMagpie", () => {
    const tsv = read("tests/magpie/fixtures/rows.tsv");
    const jsonl = read("tests/magpie/fixtures/rows.jsonl");
    const json = JSON.stringify(rows[0], null, 1);
    const seeds = [
      { ext: ".tsv", text: tsv },
      { ext: ".jsonl", text: jsonl },
      { ext: ".json", text: json },
    ];
    let n = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds).chain((s) => mutatedText(s.text).map((text) => ({ ext: s.ext, text }))),
        ({ ext, text }) => {
          const o = outcome("magpie");
          expect(() => parseTsv(text)).not.toThrow();
          const file = join(tmp, `magpie-${n++}${ext}`);
          writeFileSync(file, text);
          const r = loadMagpie(file);
          for (const p of r.problems) {
            expect(p.file).toBe(file);
            expect(p.field.length).toBeGreaterThan(0);
          }
          if (r.scenarios.length > 0) o.ok += 1;
          else o.refused += 1;
        },
      ),
      seedParams(RUNS.magpieFiles),
    );
  });
});

describe("plan records (R-Judge / ASSEBench trajectories, Safiron records) and their adapters", () => {
  const trajectories = JSON.parse(read("tests/plan/fixtures/trajectories.json")) as unknown[];
  const asb = JSON.parse(read("tests/plan/fixtures/asb-style.json")) as unknown[];
  const safiron = { ...(JSON.parse(read("tests/plan/fixtures/safiron-record.json")) as object), label: 1 };
  const seeds: unknown[] = [trajectories, asb, [safiron]];
  let n = 0;
  const load = (doc: unknown) => {
    const file = join(tmp, `plan-${n++}.json`);
    writeFileSync(file, JSON.stringify(doc ?? null));
    expectCleanOutcome(outcome("plan"), file, () => {
      for (const record of loadPlanRiskData(file)) {
        // The adapters run later, inside the eval: they must not crash on what the loader let in.
        record.toPlan("plan");
        record.toPlan("observations");
      }
    });
  };
  it("mutated record files", () => {
    fc.assert(fc.property(fc.constantFrom(...seeds).chain(mutatedDoc), load), seedParams(RUNS.planRecords));
  });
  it("random files", () => {
    fc.assert(
      fc.property(randomValue, (v) => load(Array.isArray(v) ? v : [v])),
      seedParams(RUNS.planRandom),
    );
  });
});

describe("plan files and the rules engine on whatever they let through", () => {
  const seed = JSON.parse(read("tests/plan/fixtures/plan-file.json")) as unknown;
  const guard = createPlanGuard({ mode: "rules" });
  const FILE = "plan.json";
  it("mutated plan files: refused with a field, or checked to a verdict", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedDoc(seed), async (doc) =>
        expectCleanOutcomeAsync(outcome("plan-file"), FILE, async () => {
          const parsed = PlanFileSchema.safeParse(doc);
          if (!parsed.success) throw fromZodError(parsed.error, { file: FILE });
          const verdict = await guard.checkNormalised(fromPlanFile(parsed.data));
          expect(["allow", "block", "needs_approval"]).toContain(verdict.decision);
          expect(verdict.failClosed).toBeUndefined();
        }),
      ),
      seedParams(RUNS.planFile),
    );
  });
});

const WHO_AND_WHEN_SEED = {
  question: "How many crates of pears left the dock on Friday?",
  question_ID: "fuzz-1",
  ground_truth: "14",
  history: [
    { content: "How many crates of pears left the dock on Friday?", role: "human" },
    {
      content: "Plan: ask the ledger clerk, then count.",
      role: "Orchestrator (thought)",
      name: "Orchestrator",
    },
    { content: "Ledger: 9 crates Friday morning, 5 in the afternoon.", role: "assistant", name: "Clerk" },
    { content: "exitcode: 0\nOutput: 14", role: "user", name: "Computer_terminal" },
    { content: "9 + 5 = 14. FINAL ANSWER: 14", role: "assistant", name: "Counter" },
  ],
  mistake_agent: "Clerk",
  mistake_step: "2",
  mistake_reason: "read the wrong day",
};

describe("Who&When records (importer and tracer)", () => {
  const FILE = "record.json";
  const run = (doc: unknown) =>
    expectCleanOutcomeAsync(outcome("who-and-when"), FILE, async () => {
      const input = parseTraceDocument(doc, FILE);
      const r = await traceRun(input);
      for (const f of TRACE_FORMATS) exportTrace(r.view, f);
    });
  it("mutated records", async () => {
    await fc.assert(fc.asyncProperty(mutatedDoc(WHO_AND_WHEN_SEED), run), seedParams(RUNS.whoAndWhen));
  });
  it("random values", async () => {
    await fc.assert(fc.asyncProperty(randomValue, run), seedParams(RUNS.whoAndWhenRandom));
  });
});

describe("run files (loader, tracer and every exporter)", () => {
  let seed: RunFile;
  beforeAll(async () => {
    const team = smallTeam({
      memory: [
        { key: "pin", value: "PIN-5521", owner: "alpha", sensitivity: "private", audience: ["alpha"] },
      ],
      reads: { a: ["pin"] },
    });
    const result = await team.run("combine a and b, then notify", { threadId: "fuzz" });
    seed = toRunFile(result, { task: "combine a and b, then notify", agents: team.agentNames });
  });
  const FILE = "run.json";
  const run = (doc: unknown) =>
    expectCleanOutcomeAsync(outcome("run-file"), FILE, async () => {
      const input = parseTraceDocument(doc, FILE);
      const r = await traceRun(input, { groundTruth: "A and B combined" });
      for (const f of TRACE_FORMATS) exportTrace(r.view, f);
    });
  it("mutated run files", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => mutatedDoc(seed)),
        run,
      ),
      seedParams(RUNS.runFile),
    );
  });
  it("random values", async () => {
    await fc.assert(fc.asyncProperty(randomValue, run), seedParams(RUNS.runFileRandom));
  });
});

describe("plan policy files (parsePolicy)", () => {
  const text = read("policies/default.yaml");
  const doc = parseYaml(text) as unknown;
  const FILE = "policy.yaml";
  const check = (t: string) => expectCleanOutcome(outcome("policy"), FILE, () => parsePolicy(t, FILE));
  it("mutated text", () => {
    fc.assert(fc.property(mutatedText(text), check), seedParams(RUNS.policyText));
  });
  it("mutated documents", () => {
    // Straight to the validator: YAML parsing of the whole policy would dominate the run.
    fc.assert(
      fc.property(mutatedDoc(doc), (d) =>
        expectCleanOutcome(outcome("policy"), FILE, () => validatePolicy(d, FILE)),
      ),
      seedParams(RUNS.policyDoc),
    );
  });
  it("random input", () => {
    fc.assert(fc.property(randomText, check), seedParams(RUNS.policyRandom));
  });
});

describe("known loader bugs (reported; each flips to failing once fixed)", () => {
  const file = join(tmp, "known.json");
  const lineOf = () => {
    try {
      loadScenarioFile(file);
    } catch (error) {
      return error as QuorumError;
    }
    throw new Error("loaded");
  };
  it("compositional: a JSON syntax error is one line with a location", () => {
    writeFileSync(file, '!{\n  "entities": ["A"]\n}');
    const e = lineOf();
    expect(e.toLine()).not.toContain("\n");
    expect(e.field ?? "").not.toBe("");
  });
  it("compositional: a YAML syntax error is one line with a location", () => {
    const yamlFile = join(tmp, "known.yaml");
    writeFileSync(yamlFile, "id: x\nagents: [\n");
    let e: QuorumError | undefined;
    try {
      loadScenarioFile(yamlFile);
    } catch (error) {
      e = error as QuorumError;
    }
    expect(e?.toLine()).not.toContain("\n");
    expect(e?.field ?? "").not.toBe("");
  });
  it("the known-bug list matches these reproductions", () => {
    expect(KNOWN_BUGS.map((b) => b.id)).toEqual([
      "compositional-json-syntax-error",
      "compositional-yaml-syntax-error",
    ]);
  });
});

describe("coverage of the fuzz run", () => {
  it("ran at least 10,000 cases, and every loader both accepted and refused some", () => {
    const summary = [...outcomes.entries()].map(([k, o]) => `${k}: ${o.ok} accepted, ${o.refused} refused`);
    const known = [...knownBugHits.entries()].map(([k, n]) => `known bug ${k}: ${n} inputs`);
    process.stderr.write(`fuzz cases: ${casesRun}\n${[...summary, ...known].join("\n")}\n`);
    expect(casesRun).toBeGreaterThanOrEqual(10_000);
    for (const [name, o] of outcomes) {
      expect(o.refused, `${name} refused nothing: the mutations are too gentle`).toBeGreaterThan(0);
      expect(o.ok, `${name} accepted nothing: the mutations never leave a valid input`).toBeGreaterThan(0);
    }
  });
});
