import { describe, expect, it } from "vitest";
import { quickstart } from "../examples/quickstart.js";

describe("examples", () => {
  it("the quickstart runs and finishes", async () => {
    const r = await quickstart();
    expect(r.status).toBe("finished");
    expect(r.finalAnswer).toBe("A is A");
    expect(r.items.some((i) => i.kind === "verdict")).toBe(true);
  });
});

describe("examples/subgraph.ts", () => {
  it("runs the team as a node of a LangGraph graph and reports its answer", async () => {
    const { reportGraph } = await import("../examples/subgraph.js");
    const out = await reportGraph().invoke(
      { question: "What is a?" },
      { configurable: { thread_id: "ex-1" } },
    );
    expect(out.report).toBe("Q: What is a?\nA: A is A");
  });
});

describe("examples/cancel.ts", () => {
  it("stops the run on abort, keeps its checkpoint, and resumes it to the end", async () => {
    const { cancelAndResume } = await import("../examples/cancel.js");
    const { stopped, resumed } = await cancelAndResume();
    expect(stopped.status).toBe("stopped");
    expect(stopped.reason).toContain("the user pressed stop");
    expect(resumed.status).toBe("finished");
    expect(resumed.finalAnswer).toBe("A is A");
    // The lookup that ran before the abort is in the resumed run once, not twice.
    expect(resumed.items.filter((i) => i.kind === "tool_call")).toHaveLength(1);
  });
});
