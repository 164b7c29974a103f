import { createMemoryCheckpointer } from "../../../src/graph/index.js";
import { allGuards, benchTeam, QUORUM_AGENT_STEPS } from "../quorum-team.js";
import type { Variant } from "../variant.js";

export function quorumVariant(guarded: boolean, durability?: "exit", runContext?: "langchain"): Variant {
  const base = guarded ? "quorum-guarded" : "quorum-recording";
  const suffix = [durability, runContext].filter(Boolean).join("-");
  const what = guarded
    ? "Quorum team graph with full provenance recording and every symbolic guard on (plan guard with the default policy rules, ToM, CoDef with 3 voters, leak detector) on every message"
    : "Quorum team graph with full provenance recording (items, deliveries, derivedFrom), no guards";
  return {
    name: suffix ? `${base}-${suffix}` : base,
    notes: `${what}; rule-backed agents (no model invoke at all; 9 agent steps counted as model calls); in-memory checkpointer (the team's default: MemorySaver with the plain-JSON serializer)${durability ? ` with durability "${durability}" (one checkpoint when the run stops)` : " written after every superstep (LangGraph's default durability)"}; ${runContext ? "LangChain's own run context (a disabled langsmith run tree per runnable invocation, as before the lean run context)" : "the team's default lean run context (no run tree per runnable while nothing traces the run)"}; each run's thread is deleted and its runtime released afterwards.`,
    async setup() {
      const checkpointer = createMemoryCheckpointer();
      const team = benchTeam({
        ...(guarded ? { guards: allGuards() } : {}),
        extra: { checkpointer, ...(durability ? { durability } : {}), ...(runContext ? { runContext } : {}) },
      });
      let runs = 0;
      return {
        async run(i) {
          const threadId = `t${i}`;
          const r = await team.run("assemble the three parts", { threadId, runId: `r${i}` });
          if (r.status !== "finished") throw new Error(`quorum run ${i}: ${r.status} ${r.reason ?? ""}`);
          runs += 1;
          team.release(threadId);
          await checkpointer.deleteThread(threadId);
        },
        modelCalls: () => runs * QUORUM_AGENT_STEPS,
      };
    },
  };
}
