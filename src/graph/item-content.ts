import { z } from "zod";
import { PlanSchema } from "../agents/schemas.js";
import type { Item, ItemKind } from "../core/index.js";
import { VerdictSchema } from "../guards/types.js";

/**
 * The content a team writes for each item kind. Kinds whose content the user or a tool decides
 * (`message`, `tool_result`, `query`, `answer`, ...) stay `unknown`; imported logs may hold any
 * content, so a typed read validates instead of trusting the kind.
 */
export const ITEM_CONTENT = {
  task: z.string(),
  plan: PlanSchema,
  step_output: z.string(),
  final_answer: z.string(),
  verification: z.union([
    z.object({
      stepId: z.string(),
      attempt: z.number().int(),
      pass: z.boolean(),
      reasons: z.array(z.string()),
    }),
    z.object({ final: z.literal(true), pass: z.boolean(), reasons: z.array(z.string()) }),
  ]),
  verdict: VerdictSchema,
  tool_call: z.object({ tool: z.string(), args: z.unknown(), idempotencyKey: z.string() }),
  memory_write: z.object({ key: z.string(), value: z.unknown() }),
  note: z.record(z.string(), z.unknown()),
} as const;

type Typed = typeof ITEM_CONTENT;

/** The content type of an item of kind `K` (`unknown` for kinds whose content is free). */
export type ItemContentOf<K extends ItemKind> = K extends keyof Typed ? z.infer<Typed[K]> : unknown;

/** An item narrowed to one kind, with its content typed. */
export type ItemOf<K extends ItemKind> = Omit<Item, "kind" | "content"> & {
  kind: K;
  content: ItemContentOf<K>;
};

/** True when the item is of `kind` and its content has that kind's shape. */
export function isItemOf<K extends ItemKind>(item: Item, kind: K): item is Item & ItemOf<K> {
  if (item.kind !== kind) return false;
  const schema = (ITEM_CONTENT as Partial<Record<ItemKind, z.ZodTypeAny>>)[kind];
  return schema === undefined || schema.safeParse(item.content).success;
}

/** The item's content typed for `kind`, or undefined when the item is another kind or malformed. */
export function contentOf<K extends ItemKind>(item: Item | undefined, kind: K): ItemContentOf<K> | undefined {
  return item !== undefined && isItemOf(item, kind) ? item.content : undefined;
}
