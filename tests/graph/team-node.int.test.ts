// A Quorum team as a node of a user's LangGraph graph: results flow into the parent's state, an
// approval the team waits for pauses the parent, and one SQLite store serves both across restarts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotation, Command, END, MemorySaver, START, StateGraph } from "@langchain/langgraph";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteRunStore, type Team, type TeamConfig, teamNode } from "../../src/graph/index.js";
import type { PlanGuardInput, Verdict } from "../../src/guards/types.js";
import { smallTeam } from "./fixtures.js";

const Parent = Annotation.Root({
  question: Annotation<string>(),
  answer: Annotation<string>(),
  teamStatus: Annotation<string>(),
  after: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
});

function parentGraph(team: Team, checkpointer: TeamConfig["checkpointer"]) {
  return new StateGraph(Parent)
    .addNode(
      "research",
      teamNode<typeof Parent.State>(team, {
        task: (s) => s.question,
        update: (r) => ({ answer: r.finalAnswer ?? "", teamStatus: r.status }),
      }),
    )
    .addNode("wrap_up", () => ({ after: 1 }))
    .addEdge(START, "research")
    .addEdge("research", "wrap_up")
    .addEdge("wrap_up", END)
    .compile({ checkpointer: checkpointer as never });
}

const askAlways = {
  name: "ask-always",
  checkPlan: (_: PlanGuardInput): Verdict => ({
    guard: "ask-always",
    hook: "plan",
    decision: "needs_approval",
    flagged: true,
    rationale: "every plan is checked by a person",
  }),
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("teamNode", () => {
  it("runs the team inside the parent graph and maps its result into the parent's state", async () => {
    const graph = parentGraph(smallTeam(), new MemorySaver());
    const out = await graph.invoke({ question: "do it" }, { configurable: { thread_id: "p1" } });
    expect(out).toMatchObject({
      answer: "A and B combined; notified true",
      teamStatus: "finished",
      after: 1,
    });
    // The team's own thread is derived from the parent's and the node's name.
    expect((await smallTeam().state("p1.research"))?.status).toBeUndefined();
  });

  it("turns the team's approval into an interrupt of the parent, and the parent's resume into the decision", async () => {
    const team = smallTeam({}, { plan: [askAlways] });
    const graph = parentGraph(team, new MemorySaver());
    const cfg = { configurable: { thread_id: "p2" } };
    const paused = await graph.invoke({ question: "do it" }, cfg);
    const waiting = (paused as { __interrupt__?: { value: { kind: string } }[] }).__interrupt__;
    expect(waiting?.[0]?.value.kind).toBe("plan_approval");
    expect((await team.state("p2.research"))?.status).toBe("running");
    const done = await graph.invoke(new Command({ resume: { action: "approve" } }), cfg);
    expect(done).toMatchObject({
      answer: "A and B combined; notified true",
      teamStatus: "finished",
      after: 1,
    });
  });

  it("shares one SQLite store with the parent and carries a decision over a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "quorum-team-node-"));
    dirs.push(dir);
    const path = join(dir, "runs.db");
    const cfg = { configurable: { thread_id: "p3" } };
    const first = new SqliteRunStore(path);
    const firstTeam = smallTeam(
      { checkpointer: first.checkpointer, journal: first.journal },
      { plan: [askAlways] },
    );
    await parentGraph(firstTeam, first.checkpointer).invoke({ question: "do it" }, cfg);
    first.close();

    const second = new SqliteRunStore(path);
    try {
      const team = smallTeam(
        { checkpointer: second.checkpointer, journal: second.journal },
        { plan: [askAlways] },
      );
      const graph = parentGraph(team, second.checkpointer);
      const done = await graph.invoke(new Command({ resume: { action: "reject", note: "not now" } }), cfg);
      expect(done).toMatchObject({ teamStatus: "blocked", after: 1 });
      // Replaying the parent's node reads the ended team back: no second run, no second plan.
      const team2 = await team.state("p3.research");
      expect(team2?.items.filter((i) => i.kind === "plan")).toHaveLength(1);
      expect(await second.journal.count("notify")).toBe(0);
    } finally {
      second.close();
    }
  });
});
