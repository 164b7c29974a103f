import type { RunnableConfig } from "@langchain/core/runnables";
import { Command, END, type Send } from "@langchain/langgraph";
import { InternalError, type Item, type RunEvent } from "../core/index.js";
import type { StepState, TeamStateType, TeamUpdate } from "./state.js";

export type TeamNode = (state: TeamStateType, config: RunnableConfig) => Promise<TeamUpdate>;

/** A node's update together with the state it leads to (the node's input with the update applied). */
export type Stepped = (
  state: TeamStateType,
  config: RunnableConfig,
) => Promise<{ update: TeamUpdate; after: TeamStateType }>;

/**
 * Runs nodes one after another as one graph node: each sees the state with the previous updates
 * applied (by the same reducers as the graph's channels), and the node returns their merged
 * update, so the writes and the resulting state are those of separate nodes.
 */
export function sequence(
  ...parts: Array<[when: (state: TeamStateType) => boolean, node: TeamNode]>
): Stepped {
  return async (state, config) => {
    let after = state;
    let update: TeamUpdate = {};
    for (const [when, node] of parts) {
      if (!when(after)) continue;
      const part = await node(after, config);
      after = applyUpdate(after, part);
      update = mergeUpdates(update, part);
    }
    return { update, after };
  };
}

export function single(node: TeamNode): Stepped {
  return async (state, config) => {
    const update = await node(state, config);
    return { update, after: applyUpdate(state, update) };
  };
}

/** A node that writes its update and goes where `route` sends the state that update leads to. */
export function routed(
  node: Stepped,
  route: (state: TeamStateType) => Send[] | string,
): (state: TeamStateType, config: RunnableConfig) => Promise<Command> {
  return async (state, config) => {
    const { update, after } = await node(state, config);
    const to = route(after);
    return new Command({ update, ...(to === END ? {} : { goto: to }) });
  };
}

/** The channel reducers of TeamState, applied to a plain state value. */
function applyUpdate(state: TeamStateType, update: TeamUpdate): TeamStateType {
  const items = plain<Item[]>(update.items);
  const events = plain<RunEvent[]>(update.events);
  const steps = plain<Record<string, StepState>>(update.steps);
  return {
    ...state,
    ...(update as Partial<TeamStateType>),
    items: items && items.length > 0 ? state.items.concat(items) : state.items,
    events: events && events.length > 0 ? state.events.concat(events) : state.events,
    steps: steps ? { ...state.steps, ...steps } : state.steps,
  };
}

function mergeUpdates(a: TeamUpdate, b: TeamUpdate): TeamUpdate {
  const out: TeamUpdate = { ...a, ...b };
  const [ai, bi] = [plain<Item[]>(a.items), plain<Item[]>(b.items)];
  const [ae, be] = [plain<RunEvent[]>(a.events), plain<RunEvent[]>(b.events)];
  const [as, bs] = [plain<Record<string, StepState>>(a.steps), plain<Record<string, StepState>>(b.steps)];
  if (ai || bi) out.items = [...(ai ?? []), ...(bi ?? [])];
  if (ae || be) out.events = [...(ae ?? []), ...(be ?? [])];
  if (as || bs) out.steps = { ...as, ...bs };
  return out;
}

/** Team nodes never write LangGraph's Overwrite wrapper; refuse one rather than merge it wrongly. */
function plain<T>(value: unknown): T | undefined {
  if (value === undefined) return undefined;
  if (value !== null && typeof value === "object" && "__overwrite__" in value)
    throw new InternalError("team nodes do not overwrite accumulated channels");
  return value as T;
}
