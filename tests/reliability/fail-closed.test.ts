// Issue 7.2: every guard that throws, times out or returns something unparseable blocks, with a
// recorded reason. Each guard is run at its real hook in the runtime (message or plan), both
// with its own dependencies failing (its model) and wrapped so that the guard itself fails.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool, type Item } from "../../src/core/index.js";
import { type TableData, TableDefender } from "../../src/eval/compositional/index.js";
import { Runtime } from "../../src/graph/runtime.js";
import { createPlanGuard } from "../../src/guards/plan/index.js";
import { CoDefGuard, type CompositionPolicy, TomGuard } from "../../src/guards/privacy/index.js";
import { LeakMessageGuard } from "../../src/guards/privacy/message-guard.js";
import { runGuard } from "../../src/guards/run.js";
import { type MessageGuard, type PlanGuard, VerdictSchema } from "../../src/guards/types.js";
import { ScriptedModel } from "../../src/testing/index.js";
import { smallTeam } from "../graph/fixtures.js";
import {
  faultyMessageGuard,
  faultyPlanGuard,
  GUARD_FAULTS,
  type GuardFault,
  HangingChatModel,
  hangingInvocable,
  misbehave,
  seedParams,
} from "./helpers.js";

const TIMEOUT_MS = 40;

const table = (rows: Array<Record<string, unknown>>): TableData => ({
  sensitivity: "sensitive",
  rows,
  columns: [...new Set(rows.flatMap((r) => Object.keys(r)))],
});
const TABLES: Record<string, Record<string, TableData>> = {
  Ann: { crew: table([{ id: 1, name: "Ola" }]) },
  Bo: { doses: table([{ id: 1, drug: "q" }]), shifts: table([{ id: 1, day: "Tue" }]) },
  Cy: { flats: table([{ id: 1, street: "Ash" }]) },
};
const POLICY: CompositionPolicy = {
  sensitive: [
    { owner: "Ann", table: "crew" },
    { owner: "Bo", table: "doses" },
    { owner: "Cy", table: "flats" },
  ],
  owned: Object.fromEntries(
    Object.entries(TABLES).map(([a, t]) => [a, Object.keys(t).map((name) => ({ owner: a, table: name }))]),
  ),
};
const SECRET = "Bo keeps the spare key code 4471-ZETA under the blue mat";

/** Ann asks Bo for a harmless table; Bo answers with rows through the message guards. */
async function askBo(
  guards: MessageGuard[],
): Promise<{ runtime: Runtime; reply: Item | null; decision: string }> {
  const runtime = new Runtime({ runId: "fc", guards: { message: guards }, guardTimeoutMs: TIMEOUT_MS });
  runtime.emit({
    step: 0,
    author: "Bo",
    kind: "note",
    content: { key: "spare-key", value: SECRET },
    audience: ["Bo"],
    sensitivity: "private",
    labels: ["private-item"],
  });
  const q = await runtime.send({
    from: "Ann",
    to: ["Bo"],
    step: 1,
    kind: "query",
    content: { text: "shifts?" },
  });
  // The query itself went through the same guards; only go on if it got through.
  if (!q.delivered) return { runtime, reply: null, decision: q.decision };
  const bo = new TableDefender("Bo", TABLES.Bo ?? {}, runtime);
  const r = await bo.answer(q.delivered, { table: "shifts" }, "Ann", 2);
  return { runtime, reply: r.delivered, decision: r.decision };
}

function lastVerdict(runtime: Runtime): { item: Item; rationale: string } {
  const item = runtime.log.items({ kind: "verdict" }).at(-1);
  if (!item) throw new Error("no verdict recorded");
  return { item, rationale: (item.content as { rationale: string }).rationale };
}

function expectFailClosed(runtime: Runtime, reply: Item | null, decision: string, reason: RegExp): void {
  expect(decision).toBe("block");
  expect(reply).toBeNull();
  const { item, rationale } = lastVerdict(runtime);
  expect(item.labels).toEqual(expect.arrayContaining(["block", "fail-closed"]));
  expect(rationale).toMatch(reason);
  // Nothing withheld reached anyone but its author.
  for (const e of runtime.log.events({ type: "delivered" })) {
    if (e.type !== "delivered") continue;
    const delivered = runtime.log.mustGet(e.itemId);
    expect(delivered.labels).not.toContain("withheld");
  }
}

const MESSAGE_GUARDS: Record<string, () => MessageGuard> = {
  tom: () => new TomGuard({ policy: POLICY }),
  codef: () => new CoDefGuard({ policy: POLICY, voters: ["Bo", "Cy"] }),
  "self-voting": () => new CoDefGuard({ policy: POLICY, voters: [], selfVoting: { repeats: 3 } }),
  "leak-detector": () => new LeakMessageGuard(),
};

const FAULT_REASON: Record<GuardFault, RegExp> = {
  throw: /failed: .* exploded; blocking \(fail closed\)/,
  reject: /failed: .* rejected; blocking \(fail closed\)/,
  hang: new RegExp(`timed out after ${TIMEOUT_MS} ms; blocking \\(fail closed\\)`),
  null: /not a verdict; blocking \(fail closed\)/,
  string: /not a verdict; blocking \(fail closed\)/,
  "bad-decision": /not a verdict; blocking \(fail closed\)/,
  "no-rationale": /not a verdict; blocking \(fail closed\)/,
};

describe("message guards fail closed at the runtime's message hook", () => {
  for (const [name, make] of Object.entries(MESSAGE_GUARDS)) {
    it(`${name}: healthy, the answer is delivered (control)`, async () => {
      const { reply, decision } = await askBo([make()]);
      expect(decision).toBe("allow");
      expect(reply).not.toBeNull();
    });
    for (const fault of GUARD_FAULTS) {
      it(`${name}: ${fault} => block with the reason recorded`, async () => {
        const { runtime, reply, decision } = await askBo([faultyMessageGuard(make(), fault)]);
        expectFailClosed(runtime, reply, decision, FAULT_REASON[fault]);
        expect(lastVerdict(runtime).rationale).toContain(`guard ${name}`);
      });
    }
  }

  it("one failing guard among healthy ones still blocks", async () => {
    const { runtime, reply, decision } = await askBo([
      MESSAGE_GUARDS.tom?.() as MessageGuard,
      faultyMessageGuard(new LeakMessageGuard(), "throw"),
      MESSAGE_GUARDS.codef?.() as MessageGuard,
    ]);
    expect(decision).toBe("block");
    expect(reply).toBeNull();
    const decisions = runtime.log
      .items({ kind: "verdict" })
      .slice(-3)
      .map((v) => (v.content as { decision: string }).decision);
    expect(decisions).toEqual(["allow", "block", "allow"]);
  });
});

describe("model-backed guards fail closed when their model does", () => {
  const modelGuards: Record<
    string,
    (m: ConstructorParameters<typeof ScriptedModel>[0] | "hang") => MessageGuard
  > = {
    tom: (m) =>
      new TomGuard({ policy: POLICY, model: m === "hang" ? new HangingChatModel() : new ScriptedModel(m) }),
    codef: (m) =>
      new CoDefGuard({
        policy: POLICY,
        voters: ["Bo", "Cy"],
        model: m === "hang" ? new HangingChatModel() : new ScriptedModel(m),
      }),
    "self-voting": (m) =>
      new CoDefGuard({
        policy: POLICY,
        voters: [],
        selfVoting: { repeats: 2 },
        model: m === "hang" ? new HangingChatModel() : new ScriptedModel(m),
      }),
  };
  for (const [name, make] of Object.entries(modelGuards)) {
    it(`${name}: model error => block`, async () => {
      const { runtime, reply, decision } = await askBo([make({ replies: [{ error: "socket hang up" }] })]);
      expectFailClosed(runtime, reply, decision, /socket hang up.*fail closed/);
    });
    it(`${name}: model never answers => block after the guard timeout`, async () => {
      const { runtime, reply, decision } = await askBo([make("hang")]);
      expectFailClosed(runtime, reply, decision, /timed out after 40 ms/);
    });
    it(`${name}: unparseable reply => block`, async () => {
      const { runtime, reply, decision } = await askBo([
        make({ replies: ["I think it is fine, probably.", "I think it is fine, probably."] }),
      ]);
      expectFailClosed(runtime, reply, decision, /malformed/);
    });
  }
});

const planSteps = [
  { id: "s1", assignee: "alpha", tool: "lookup", args: { key: "a" }, dependsOn: [] },
] as const;

async function checkPlanWith(guard: PlanGuard): Promise<{ runtime: Runtime; decision: string }> {
  const runtime = new Runtime({ runId: "pg", guards: { plan: [guard] }, guardTimeoutMs: TIMEOUT_MS });
  const task = runtime.emit({ step: 0, author: "user", kind: "task", content: "look up a" });
  const plan = runtime.emit({ step: 1, author: "planner", kind: "plan", content: { steps: planSteps } });
  const r = await runtime.checkPlan(
    plan,
    task,
    planSteps.map((s) => ({ ...s, args: { ...s.args }, dependsOn: [] })),
    1,
    ["supervisor"],
  );
  return { runtime, decision: r.decision };
}

describe("the plan guard fails closed (rules and judge)", () => {
  it("rules: healthy allows this plan (control)", async () => {
    expect((await checkPlanWith(createPlanGuard({ mode: "rules" }))).decision).toBe("allow");
  });
  for (const fault of GUARD_FAULTS) {
    it(`rules: ${fault} => block`, async () => {
      const { runtime, decision } = await checkPlanWith(
        faultyPlanGuard(createPlanGuard({ mode: "rules" }), fault),
      );
      expect(decision).toBe("block");
      const { item, rationale } = lastVerdict(runtime);
      expect(item.labels).toContain("fail-closed");
      expect(rationale).toMatch(FAULT_REASON[fault]);
    });
  }
  const judges: Record<string, () => Parameters<typeof createPlanGuard>[0]> = {
    "judge error": () => ({
      mode: "judge",
      judge: new ScriptedModel({ replies: [{ error: "502 bad gateway" }] }),
    }),
    "judge garbage": () => ({ mode: "judge", judge: new ScriptedModel({ replies: ["Looks OK to me!"] }) }),
    "judge hangs": () => ({ mode: "judge", judge: hangingInvocable }),
    "layered, judge garbage": () => ({
      mode: "layered",
      judge: new ScriptedModel({ replies: ["- Risk: Maybe"] }),
    }),
  };
  for (const [name, options] of Object.entries(judges)) {
    it(`${name} => block, fail closed`, async () => {
      const { runtime, decision } = await checkPlanWith(createPlanGuard(options()));
      expect(decision).toBe("block");
      const { item, rationale } = lastVerdict(runtime);
      expect(item.labels).toContain("fail-closed");
      expect(rationale).toMatch(/fail closed/);
    });
  }
  it("judge: a clean 'no risks' reply allows (control)", async () => {
    const { decision } = await checkPlanWith(
      createPlanGuard({
        mode: "judge",
        judge: new ScriptedModel({ replies: ["There are no risks in these actions."] }),
      }),
    );
    expect(decision).toBe("allow");
  });
});

describe("a failing plan guard stops a whole team before any tool runs", () => {
  for (const fault of ["throw", "hang", "string"] as const) {
    it(`${fault}`, async () => {
      const team = smallTeam(
        { guardTimeoutMs: TIMEOUT_MS },
        { plan: [faultyPlanGuard(createPlanGuard({ mode: "rules" }), fault)] },
      );
      const r = await team.run("combine a and b, then notify", { threadId: `t-${fault}` });
      expect(r.status).toBe("blocked");
      expect(r.reason).toMatch(/^plan blocked before any .*fail closed/);
      expect(r.events.filter((e) => e.type === "tool")).toHaveLength(0);
      expect(r.finalAnswer).toBeNull();
    });
  }
  it("a message guard that throws withholds step outputs: the run never delivers them", async () => {
    const team = smallTeam({}, { message: [faultyMessageGuard(new LeakMessageGuard(), "throw")] });
    const r = await team.run("combine a and b, then notify", { threadId: "t-msg" });
    expect(r.status).not.toBe("finished");
    expect(r.finalAnswer).toBeNull();
    const delivered = r.events.filter((e) => e.type === "delivered" && e.via === "message");
    for (const e of delivered) {
      if (e.type !== "delivered") continue;
      const item = r.items.find((i) => i.id === e.itemId);
      expect(["step_output", "final_answer", "message"]).not.toContain(item?.kind);
    }
  });
});

/** Anything a guard can hand back: a block unless it really is a verdict. */
describe("runGuard on arbitrary return values", () => {
  const nearVerdict = fc.record(
    {
      guard: fc.oneof(fc.string(), fc.integer()),
      hook: fc.oneof(fc.constantFrom("plan", "message", "tool_call"), fc.string()),
      decision: fc.oneof(fc.constantFrom("allow", "block", "redact", "vague", "needs_approval"), fc.string()),
      flagged: fc.oneof(fc.boolean(), fc.string()),
      rationale: fc.oneof(fc.string(), fc.constant(undefined)),
    },
    { requiredKeys: [] },
  );
  const check = async (value: unknown) => {
    const v = await runGuard("g", "message", () => value as never, { timeoutMs: 1000 });
    if (VerdictSchema.safeParse(value).success) {
      expect(v).toBe(value);
    } else {
      expect(v.decision).toBe("block");
      expect(v.failClosed).toBe(true);
    }
  };
  it("never allows a random value", async () => {
    await fc.assert(fc.asyncProperty(fc.anything(), check), seedParams(300));
  });
  it("never allows a near-verdict that fails VerdictSchema", async () => {
    await fc.assert(fc.asyncProperty(nearVerdict, check), seedParams(300));
  });
});

const echo = defineTool({
  name: "echo",
  description: "echo",
  schema: z.object({ text: z.string() }),
  run: ({ text }) => text,
});

describe("tool-call guards fail closed too", () => {
  for (const fault of GUARD_FAULTS) {
    it(`${fault} => the tool does not run`, async () => {
      let ran = 0;
      const tool = {
        ...echo,
        run: (a: { text: string }) => {
          ran += 1;
          return a.text;
        },
      };
      const runtime = new Runtime({
        runId: "tc",
        guardTimeoutMs: TIMEOUT_MS,
        guards: { toolCall: [{ name: "tc-guard", checkToolCall: () => misbehave(fault, "tc-guard") }] },
      });
      const r = await runtime.callTool("alpha", 1, tool, { text: "hi" }, { idempotencyKey: "k" });
      expect(r.status).toBe("blocked");
      expect(ran).toBe(0);
      expect(lastVerdict(runtime).item.labels).toContain("fail-closed");
    });
  }
});
