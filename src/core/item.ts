import { z } from "zod";

export const SENSITIVITIES = ["public", "internal", "private", "sensitive"] as const;
export const Sensitivity = z.enum(SENSITIVITIES);
export type Sensitivity = z.infer<typeof Sensitivity>;

/** Private and sensitive content never leaves the run unredacted unless the user opts in. */
export function isPrivate(s: Sensitivity): boolean {
  return s === "private" || s === "sensitive";
}

export const ITEM_KINDS = [
  "task",
  "plan",
  "message",
  "tool_call",
  "tool_result",
  "memory_write",
  "memory_read",
  "step_output",
  "verification",
  "verdict",
  "final_answer",
  "query",
  "answer",
  "error",
  "note",
] as const;
export const ItemKind = z.enum(ITEM_KINDS);
export type ItemKind = z.infer<typeof ItemKind>;

/** Audience entry meaning "every agent of the run". */
export const EVERYONE = "*";

export const ItemSchema = z.object({
  id: z.string().min(1),
  runId: z.string().min(1),
  /** Logical step of the run at which the item was produced (one agent turn = one step). */
  step: z.number().int().nonnegative(),
  author: z.string().min(1),
  kind: ItemKind,
  content: z.unknown(),
  /** Agents and sinks that may see the item; `*` means every agent of the run. */
  audience: z.array(z.string().min(1)),
  sensitivity: Sensitivity,
  /** Free tags, e.g. `table:salaries`, `canary`, `private-item:budget`. */
  labels: z.array(z.string()),
  /** Ids of the items the author had in its context when it produced this one. */
  derivedFrom: z.array(z.string().min(1)),
});
export type Item = z.infer<typeof ItemSchema>;

/** What a producer supplies; the log fills in id and run. */
export type NewItem = Omit<Item, "id" | "runId" | "audience" | "sensitivity" | "labels" | "derivedFrom"> &
  Partial<Pick<Item, "audience" | "sensitivity" | "labels" | "derivedFrom" | "id">>;

export function canSee(item: Pick<Item, "audience" | "author">, agent: string): boolean {
  return item.author === agent || item.audience.includes(EVERYONE) || item.audience.includes(agent);
}
