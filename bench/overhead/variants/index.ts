import type { Variant } from "../variant.js";

/** The five variants of overhead.json, in report order. */
export const MAIN_VARIANTS = [
  "stategraph",
  "quorum-recording",
  "quorum-guarded",
  "langgraph-supervisor",
  "openai-agents",
] as const;

/**
 * Context rows: what the shape costs with no framework, LangGraph alone in Quorum's topology,
 * bare LangGraph without checkpoints, Quorum with one checkpoint per run, and Quorum with
 * LangChain's own run context (a run tree per runnable) instead of its lean one.
 */
export const CONTEXT_VARIANTS = [
  "plain-async",
  "langgraph-floor",
  "langgraph-floor-lean",
  "stategraph-nocheckpoint",
  "quorum-recording-exit",
  "quorum-guarded-exit",
  "quorum-guarded-langchain",
] as const;

/** Loads only the variant's own framework, so each child process holds one framework. */
export async function loadVariant(name: string): Promise<Variant> {
  switch (name) {
    case "stategraph":
      return (await import("./stategraph.js")).stategraphVariant(true);
    case "stategraph-nocheckpoint":
      return (await import("./stategraph.js")).stategraphVariant(false);
    case "quorum-recording":
      return (await import("./quorum.js")).quorumVariant(false);
    case "quorum-guarded":
      return (await import("./quorum.js")).quorumVariant(true);
    case "quorum-recording-exit":
      return (await import("./quorum.js")).quorumVariant(false, "exit");
    case "quorum-guarded-exit":
      return (await import("./quorum.js")).quorumVariant(true, "exit");
    case "quorum-guarded-langchain":
      return (await import("./quorum.js")).quorumVariant(true, undefined, "langchain");
    case "langgraph-supervisor":
      return (await import("./langgraph-supervisor.js")).supervisorVariant();
    case "openai-agents":
      return (await import("./openai-agents.js")).openaiAgentsVariant();
    case "langgraph-floor":
      return (await import("./langgraph-floor.js")).langgraphFloorVariant();
    case "langgraph-floor-lean":
      return (await import("./langgraph-floor.js")).langgraphFloorVariant(true);
    case "plain-async":
      return (await import("./plain-async.js")).plainAsyncVariant();
    default:
      throw new Error(`unknown variant ${name}`);
  }
}
