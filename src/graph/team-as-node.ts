import type { RunnableConfig } from "@langchain/core/runnables";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { interrupt } from "@langchain/langgraph";
import type { Item } from "../core/index.js";
import type { ApprovalDecision, ApprovalRequest } from "./approval.js";
import type { Team } from "./team.js";
import type { TeamResult } from "./team-types.js";

export interface TeamNodeOptions<S> {
  /** The team's task from the parent graph's state. */
  task: (state: S) => string;
  /** The parent's state update from the team's result (finished, blocked, stopped or failed). */
  update: (result: TeamResult, state: S) => Partial<S> | Promise<Partial<S>>;
  /** Names the team's thread, `<parent thread>.<name>` (default: the node's name in the parent). */
  name?: string;
}

/**
 * The team as a node of a user's LangGraph graph. The team runs on its own thread, derived from
 * the parent's, in the team's checkpointer (give both graphs the same saver to keep one store):
 * when the parent replays the node after a crash, the team resumes where it was, and a finished
 * team is read back rather than run again. An approval the team waits for becomes an interrupt
 * of the parent graph; the parent's `Command({ resume: decision })` carries it to the team.
 * Decide such a team's approvals through the parent only: a decision given to the team directly
 * (`team.resume`) is one the parent never saw, and the node would wait on an interrupt for it.
 */
export function teamNode<S>(team: Team, options: TeamNodeOptions<S>) {
  return async (state: S, config: RunnableConfig): Promise<Partial<S>> => {
    const parent = config.configurable?.thread_id as string | undefined;
    const name = options.name ?? (config.metadata?.langgraph_node as string | undefined) ?? "team";
    const threadId = parent ? `${parent}.${name}` : undefined;
    const existing = threadId ? await team.state(threadId) : undefined;
    let result = await detached(() =>
      existing && threadId
        ? readOrResume(team, threadId)
        : team.run(options.task(state), threadId ? { threadId } : {}),
    );
    // The node runs again from the top each time the parent resumes it, and LangGraph hands back
    // resume values by the order of interrupt() calls: the decisions the team already applied are
    // replayed first (their values are ignored), then the one it waits for is asked.
    const applied = decisionsIn(result.items);
    for (let i = 0; i < applied; i++) interrupt<ApprovalRequest | null, ApprovalDecision>(null);
    while (result.status === "interrupted" && result.interrupt) {
      const decision = interrupt<ApprovalRequest, ApprovalDecision>(result.interrupt);
      const threadOf = result.threadId;
      result = await detached(() => team.resume(threadOf, decision));
    }
    return options.update(result, state);
  };
}

/**
 * Runs the team outside the parent's run context: LangGraph would otherwise take the team's graph
 * for a subgraph of the node (its checkpoints under the parent's thread, its runtime not found).
 */
function detached<T>(run: () => Promise<T>): Promise<T> {
  return AsyncLocalStorageProviderSingleton.getInstance().run(undefined, run);
}

/** A thread that exists: its result when ended or waiting, otherwise carried on. */
async function readOrResume(team: Team, threadId: string): Promise<TeamResult> {
  return (await team.waiting(threadId)) ?? team.resume(threadId);
}

/** How many approval decisions the team's run has recorded (plan or tool). */
function decisionsIn(items: ReadonlyArray<Item>): number {
  return items.filter(
    (i) =>
      (i.kind === "note" && i.labels.some((l) => l.startsWith("approval:"))) ||
      (i.kind === "verdict" && i.author === "guard:approval"),
  ).length;
}
