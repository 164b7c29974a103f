import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { getContextVariable, setContextVariable } from "@langchain/core/context";
import type { RunnableConfig } from "@langchain/core/runnables";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { getConfig } from "@langchain/langgraph";
import { afterEach, describe, expect, it } from "vitest";
import type { Specialist } from "../../src/agents/types.js";
import { enableLeanRunContext, LEAN_RUN } from "../../src/graph/run-context.js";
import { label, smallTeam, smallTeamSpecialists } from "./fixtures.js";

/** What a callback sees of the async-local context LangChain gives a runnable. */
interface Seen {
  config: RunnableConfig | undefined;
  /** A langsmith run tree (disabled or not) is in the store: LangChain's own context. */
  runTree: boolean;
}

function look(): Seen {
  const store = AsyncLocalStorageProviderSingleton.getInstance().getStore() as
    | { createChild?: unknown }
    | undefined;
  return {
    config: AsyncLocalStorageProviderSingleton.getRunnableConfig(),
    runTree: typeof store?.createChild === "function",
  };
}

/** LangChain's `runWithConfig`, which LangGraph calls for every runnable (and the wrapper wraps). */
function runWithConfig(config: RunnableConfig, callback: () => void): void {
  (
    AsyncLocalStorageProviderSingleton as unknown as {
      runWithConfig(config: RunnableConfig, callback: () => void): void;
    }
  ).runWithConfig(config, callback);
}

function runIn(config: RunnableConfig): Seen {
  let seen: Seen | undefined;
  runWithConfig(config, () => {
    seen = look();
  });
  if (!seen) throw new Error("the callback did not run");
  return seen;
}

const marked = (): RunnableConfig => ({ configurable: { thread_id: "t", [LEAN_RUN]: true } });

class Counting extends BaseCallbackHandler {
  name = "counting";
}

describe("lean run context", () => {
  const tracing = process.env.LANGCHAIN_TRACING_V2;
  afterEach(() => {
    if (tracing === undefined) delete process.env.LANGCHAIN_TRACING_V2;
    else process.env.LANGCHAIN_TRACING_V2 = tracing;
  });

  it("installs (the probe finds LangChain reading configs where it puts them)", () => {
    expect(enableLeanRunContext()).toBe(true);
    expect(enableLeanRunContext()).toBe(true);
  });

  it("gives a marked, untraced config a record holding the config instead of a run tree", () => {
    enableLeanRunContext();
    const config = marked();
    const seen = runIn(config);
    expect(seen.runTree).toBe(false);
    expect(seen.config).toBe(config);
  });

  it("leaves unmarked configs, configs with callbacks and traced runs to LangChain", () => {
    enableLeanRunContext();
    const plain: RunnableConfig = { configurable: { thread_id: "t" } };
    expect(runIn(plain)).toEqual({ config: plain, runTree: true });
    const withCallbacks: RunnableConfig = { ...marked(), callbacks: [new Counting()] };
    expect(runIn(withCallbacks)).toEqual({ config: withCallbacks, runTree: true });
    process.env.LANGCHAIN_TRACING_V2 = "true";
    const traced = marked();
    expect(runIn(traced)).toEqual({ config: traced, runTree: true });
  });

  it("keeps the caller's context variables", () => {
    enableLeanRunContext();
    let inside: unknown;
    AsyncLocalStorageProviderSingleton.getInstance().run({}, () => {
      setContextVariable("quorum-test", 42);
      runWithConfig(marked(), () => {
        inside = getContextVariable("quorum-test");
      });
    });
    expect(inside).toBe(42);
  });
});

describe("team runs in the lean run context", () => {
  async function runWith(runContext: "lean" | "langchain") {
    const seen: Array<Seen & { threadId: unknown }> = [];
    // The fixture's specialist, also noting the context each step runs in.
    const specialists = smallTeamSpecialists(
      (inner): Specialist => ({
        execute: async (input) => {
          seen.push({ ...look(), threadId: getConfig()?.configurable?.thread_id });
          return inner.execute(input);
        },
      }),
    );
    const team = smallTeam({ runContext, specialists });
    const result = await team.run("do it", { threadId: `ctx-${runContext}`, runId: "r1" });
    return { result, seen };
  }

  it("runs nodes without run trees by default, with the node's config still found", async () => {
    const { result, seen } = await runWith("lean");
    expect(result.status).toBe("finished");
    expect(seen.length).toBe(5);
    for (const s of seen) {
      expect(s.runTree).toBe(false);
      expect(s.threadId).toBe("ctx-lean");
    }
  });

  it("records the same run either way; runContext langchain keeps LangChain's run trees", async () => {
    const lean = await runWith("lean");
    const full = await runWith("langchain");
    expect(full.seen.length).toBe(5);
    for (const s of full.seen) {
      expect(s.runTree).toBe(true);
      expect(s.threadId).toBe("ctx-langchain");
    }
    expect(full.result.finalAnswer).toBe(lean.result.finalAnswer);
    expect(full.result.items.map(label)).toEqual(lean.result.items.map(label));
    expect(full.result.items.map((i) => i.derivedFrom)).toEqual(lean.result.items.map((i) => i.derivedFrom));
  });
});
