// Issue 7.6: no agent ever receives an item whose audience excludes it, by any path: messages,
// memory reads, tool results, supervisor summaries, parallel branches. Two properties:
// (1) random programs straight on the runtime (send, memory, tools, parallel interleavings);
// (2) random teams, plans and memory audiences run through the LangGraph team, with spy agents
//     that check every value they are handed against the audience of the item it came from.
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { Planner, Specialist, Supervisor, Verifier } from "../../src/agents/index.js";
import type { Plan } from "../../src/agents/schemas.js";
import { canSee, defineTool, EVERYONE, type Item, type Sensitivity } from "../../src/core/index.js";
import { createTeam } from "../../src/graph/index.js";
import { Runtime } from "../../src/graph/runtime.js";
import { seedParams } from "./helpers.js";

vi.setConfig({ testTimeout: 120_000 });

const TOKEN = /TOK-[A-Za-z0-9_-]+/g;

function stringsIn(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsIn(x, out);
  else if (v !== null && typeof v === "object") for (const x of Object.values(v)) stringsIn(x, out);
  return out;
}
function tokensIn(v: unknown): string[] {
  return stringsIn(v).flatMap((s) => s.match(TOKEN) ?? []);
}

/** Every item containing the token; an agent may hold a token if it may see one of them. */
function mayHold(items: ReadonlyArray<Item>, agent: string, token: string): boolean {
  return items.some((i) => tokensIn(i.content).includes(token) && canSee(i, agent));
}

/* ----------------------------------------------------------- runtime programs */

const AGENTS = ["a0", "a1", "a2", "a3", "a4"];
const audienceArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant<string[]>([EVERYONE]) },
  { weight: 4, arbitrary: fc.subarray(AGENTS, { minLength: 0, maxLength: 3 }) },
);
const agentArb = fc.constantFrom(...AGENTS);
const sensArb = fc.constantFrom<Sensitivity>("public", "internal", "private", "sensitive");

type Op =
  | { op: "send"; from: string; to: string[]; sensitivity: Sensitivity }
  | { op: "write"; owner: string; key: number; audience: string[]; sensitivity: Sensitivity }
  | { op: "read"; agent: string; key: number }
  | { op: "tool"; agent: string; audience: string[] | null }
  | { op: "forward"; agent: string; to: string[] };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("send" as const),
    from: agentArb,
    to: fc.subarray(AGENTS, { minLength: 1 }),
    sensitivity: sensArb,
  }),
  fc.record({
    op: fc.constant("write" as const),
    owner: agentArb,
    key: fc.nat({ max: 3 }),
    audience: audienceArb,
    sensitivity: sensArb,
  }),
  fc.record({ op: fc.constant("read" as const), agent: agentArb, key: fc.nat({ max: 3 }) }),
  fc.record({ op: fc.constant("tool" as const), agent: agentArb, audience: fc.option(audienceArb) }),
  fc.record({
    op: fc.constant("forward" as const),
    agent: agentArb,
    to: fc.subarray(AGENTS, { minLength: 1 }),
  }),
);

/** Groups of operations; the operations of one group run concurrently (parallel branches). */
const programArb = fc.array(fc.array(opArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 });

describe("random programs on the runtime", () => {
  it("hand no agent anything outside its audience, by any path", async () => {
    await fc.assert(
      fc.asyncProperty(programArb, async (program) => {
        const runtime = new Runtime({ runId: "ac" });
        /** What each agent was handed, as returned to it by the runtime. */
        const handed = new Map<string, unknown[]>(AGENTS.map((a) => [a, []]));
        let n = 0;
        const probe = defineTool({
          name: "probe",
          description: "returns a fresh token",
          schema: z.object({}),
          run: (_args, ctx) => `TOK-tool-${ctx.agent}-${n++}`,
        });
        for (const [step, group] of program.entries()) {
          await Promise.all(
            group.map(async (o) => {
              const s = step + 1;
              if (o.op === "send") {
                const r = await runtime.send({
                  from: o.from,
                  to: o.to,
                  step: s,
                  content: `TOK-msg-${n++}`,
                  sensitivity: o.sensitivity,
                });
                // What the runtime delivered reaches each recipient.
                if (r.delivered) for (const t of o.to) handed.get(t)?.push(r.delivered.content);
              } else if (o.op === "write") {
                runtime.memory.write(o.owner, s, `k${o.key}`, `TOK-mem-${n++}`, {
                  audience: o.audience,
                  sensitivity: o.sensitivity,
                });
              } else if (o.op === "read") {
                const r = runtime.memory.read(o.agent, s, `k${o.key}`);
                if (r.ok) handed.get(o.agent)?.push(r.value);
                // Listing keys reveals only what the agent could read.
                for (const key of runtime.memory.keys(o.agent)) {
                  const again = runtime.memory.read(o.agent, s, key);
                  expect(again.ok).toBe(true);
                  if (again.ok) handed.get(o.agent)?.push(again.value);
                }
              } else if (o.op === "tool") {
                const r = await runtime.callTool(
                  o.agent,
                  s,
                  probe,
                  {},
                  {
                    idempotencyKey: `k${n++}`,
                    ...(o.audience ? { audience: o.audience } : {}),
                  },
                );
                handed.get(o.agent)?.push(r.value);
              } else {
                // An agent passes on everything in its context: forwarding must not widen anyone's view.
                const context = runtime.context(o.agent, s);
                handed.get(o.agent)?.push(...context.map((i) => i.content));
                const r = await runtime.send({
                  from: o.agent,
                  to: o.to,
                  step: s,
                  content: `TOK-fwd-${n++}`,
                  derivedFrom: context.map((i) => i.id),
                });
                if (r.delivered) for (const t of o.to) handed.get(t)?.push(r.delivered.content);
              }
            }),
          );
        }
        const items = runtime.log.items();
        for (const agent of AGENTS) {
          // Path 1: everything the runtime returned to the agent.
          for (const token of tokensIn(handed.get(agent))) {
            expect(mayHold(items, agent, token), `${agent} was handed ${token}`).toBe(true);
          }
          // Path 2: the agent's context (what a model prompt would be built from).
          for (const item of runtime.context(agent)) expect(canSee(item, agent)).toBe(true);
        }
        // Path 3: the log's own record of deliveries.
        for (const e of runtime.log.events({ type: "delivered" })) {
          if (e.type === "delivered") expect(canSee(runtime.log.mustGet(e.itemId), e.to)).toBe(true);
        }
      }),
      seedParams(400),
    );
  });
});

/* --------------------------------------------------------------- random teams */

interface TeamSpec {
  specialists: number;
  steps: Array<{ assignee: number; deps: number[]; reads: number[]; failFirst: boolean }>;
  memory: Array<{ owner: number; audience: number[] | "*"; sensitivity: Sensitivity }>;
}

const teamArb: fc.Arbitrary<TeamSpec> = fc
  .record({
    specialists: fc.integer({ min: 1, max: 4 }),
    size: fc.integer({ min: 1, max: 6 }),
    mem: fc.nat({ max: 4 }),
  })
  .chain(({ specialists, size, mem }) =>
    fc.record({
      specialists: fc.constant(specialists),
      steps: fc.tuple(
        ...Array.from({ length: size }, (_, i) =>
          fc.record({
            assignee: fc.nat({ max: specialists - 1 }),
            deps: i === 0 ? fc.constant<number[]>([]) : fc.subarray(Array.from({ length: i }, (_, j) => j)),
            reads: fc.subarray(Array.from({ length: mem }, (_, j) => j)),
            failFirst: fc.boolean(),
          }),
        ),
      ),
      memory: fc.array(
        fc.record({
          // 0..3 specialists, 4 planner, 5 verifier, 6 supervisor
          owner: fc.nat({ max: 6 }),
          audience: fc.oneof(fc.constant("*" as const), fc.subarray([0, 1, 2, 3, 4, 5, 6])),
          sensitivity: sensArb,
        }),
        { minLength: mem, maxLength: mem },
      ),
    }),
  );

class Spy {
  readonly violations: string[] = [];
  readonly received = new Map<string, unknown[]>();
  items: () => ReadonlyArray<Item> = () => [];

  hand(agent: string, value: unknown): void {
    const list = this.received.get(agent) ?? [];
    list.push(value);
    this.received.set(agent, list);
  }

  /** Checked at the end: the log then holds every item any value could have come from. */
  check(): void {
    const items = this.items();
    for (const [agent, values] of this.received) {
      for (const token of tokensIn(values)) {
        if (!mayHold(items, agent, token)) this.violations.push(`${agent} received ${token}`);
      }
    }
  }
}

function buildTeam(spec: TeamSpec, spy: Spy) {
  const specialistNames = Array.from({ length: spec.specialists }, (_, i) => `sp${i}`);
  const names = [...specialistNames, "planner", "verifier", "supervisor"];
  const nameOf = (i: number) =>
    i < 4 ? (specialistNames[i % spec.specialists] as string) : (names[spec.specialists + i - 4] as string);
  const probe = defineTool({
    name: "probe",
    description: "private lookup",
    schema: z.object({}),
    run: (_a, ctx) => `TOK-tool-${ctx.agent}-${ctx.step}`,
  });
  const plan: Plan = {
    steps: spec.steps.map((s, i) => ({
      id: `s${i}`,
      assignee: specialistNames[s.assignee] as string,
      description: `step ${i}`,
      toolCalls: [{ tool: "probe", args: {} }],
      dependsOn: s.deps.map((d) => `s${d}`),
    })),
  };
  const planner: Planner = {
    async plan(input) {
      spy.hand(input.env.agent, [input.env.context.map((i) => i.content), input.feedback]);
      return plan;
    },
  };
  const specialist: Specialist = {
    async execute(input) {
      const me = input.env.agent;
      spy.hand(me, [input.inputs, input.feedback, input.env.context.map((i) => i.content)]);
      const r = await input.env.callTool(probe, {}, { callIndex: 0 });
      spy.hand(me, r.value);
      // Never copies what it was given: every token in the run has exactly one origin item.
      return { output: `TOK-out-${input.step.id}-${input.attempt}` };
    },
  };
  const verifier: Verifier = {
    async verify(input) {
      spy.hand(input.env.agent, [input.output, input.env.context.map((i) => i.content)]);
      if (input.subject.kind === "step") {
        const index = Number(input.subject.step.id.slice(1));
        const first = !input.output.endsWith("-2") && !input.output.endsWith("-3");
        if (spec.steps[index]?.failFirst && first) return { pass: false, reasons: ["try again"] };
      }
      return { pass: true, reasons: [] };
    },
  };
  const supervisor: Supervisor = {
    async compose(input) {
      spy.hand(input.env.agent, [input.outputs, input.env.context.map((i) => i.content)]);
      return input.outputs.map((o) => o.stepId).join(",");
    },
  };
  let n = 0;
  const team = createTeam({
    planner: { name: "planner", impl: planner },
    specialists: specialistNames.map((name) => ({ name, impl: specialist, tools: [probe] })),
    verifier: { name: "verifier", impl: verifier },
    supervisor: { name: "supervisor", impl: supervisor },
    memory: spec.memory.map((m, i) => ({
      key: `m${i}`,
      value: `TOK-mem-${i}`,
      owner: nameOf(m.owner),
      sensitivity: m.sensitivity,
      audience: m.audience === "*" ? ["*"] : [...new Set(m.audience.map(nameOf))],
    })),
    reads: Object.fromEntries(spec.steps.map((s, i) => [`s${i}`, s.reads.map((r) => `m${r}`)])),
    newItemId: (kind) => `${kind}${++n}`,
  });
  return team;
}

describe("random teams through the LangGraph team", () => {
  it("hand no agent a value whose item's audience excludes it", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(teamArb, async (spec) => {
        const spy = new Spy();
        const team = buildTeam(spec, spy);
        const r = await team.run("do the steps", { threadId: `ac-${runs++}` });
        spy.items = () => r.items;
        spy.check();
        expect(spy.violations).toEqual([]);
        expect(r.status).toBe("finished");
        for (const e of r.events) {
          if (e.type !== "delivered") continue;
          const item = r.items.find((i) => i.id === e.itemId) as Item;
          expect(canSee(item, e.to), `${e.to} got ${item.id} via ${e.via}`).toBe(true);
        }
        // Denied reads of memory outside the audience are recorded, never served.
        for (const [i, s] of spec.steps.entries()) {
          const agent = `sp${s.assignee}`;
          for (const key of s.reads) {
            const entry = r.items.find(
              (x) => x.kind === "memory_write" && (x.content as { key: string }).key === `m${key}`,
            );
            if (entry && !canSee(entry, agent)) {
              expect(
                r.events.some(
                  (e) =>
                    e.type === "denied" && e.agent === agent && e.itemId === entry.id && e.via === "memory",
                ),
                `s${i}: ${agent} reading m${key}`,
              ).toBe(true);
            }
          }
        }
      }),
      seedParams(50),
    );
  });
});

describe("tool results reach their caller only through its audience", () => {
  it("a result audience that leaves out the caller still includes it (the caller is handed the value)", async () => {
    const runtime = new Runtime({ runId: "tr" });
    const probe = defineTool({ name: "probe", description: "", schema: z.object({}), run: () => "TOK-x" });
    const r = await runtime.callTool("a0", 1, probe, {}, { idempotencyKey: "k", audience: ["a1"] });
    expect(r.value).toBe("TOK-x");
    expect(r.result?.audience).toEqual(["a1", "a0"]);
    expect(runtime.log.events({ type: "denied" })).toHaveLength(0);
    expect(runtime.context("a0").map((i) => i.id)).toContain(r.result?.id);
  });
});
