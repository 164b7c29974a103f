import { z } from "zod";
import { extractJson } from "../../models/index.js";

/**
 * The negotiation protocol's actions, as the model must write them: one JSON object per turn,
 * `{"actions": [...]}` (a lone action object is accepted too). `to` lists agent names or "all".
 */

const To = z.array(z.string().min(1)).min(1, 'name at least one recipient, or "all"');

export const SendMessageAction = z.object({
  type: z.literal("send_message"),
  to: To,
  text: z.string().min(1, "text must not be empty"),
});
export const SendProposalAction = z.object({
  type: z.literal("send_proposal"),
  to: To,
  proposal: z.string().min(1, "proposal must not be empty"),
});
export const AcceptProposalAction = z.object({
  type: z.literal("accept_proposal"),
  id: z.string().min(1),
  reason: z.string().default(""),
});
export const RejectProposalAction = z.object({
  type: z.literal("reject_proposal"),
  id: z.string().min(1),
  reason: z.string().default(""),
});
export const WriteMemoryAction = z.object({
  type: z.literal("write_to_memory"),
  text: z.string().min(1),
});

export const ActionSchema = z.discriminatedUnion("type", [
  SendMessageAction,
  SendProposalAction,
  AcceptProposalAction,
  RejectProposalAction,
  WriteMemoryAction,
]);
export type Action = z.infer<typeof ActionSchema>;

export const MAX_ACTIONS_PER_TURN = 4;

export const TurnSchema = z.union([
  z.object({ actions: z.array(ActionSchema).max(MAX_ACTIONS_PER_TURN) }),
  ActionSchema.transform((a) => ({ actions: [a] })),
]);
export type Turn = { actions: Action[] };

export type ParsedTurn = { ok: true; turn: Turn } | { ok: false; error: string };

export function parseTurn(text: string): ParsedTurn {
  let json: unknown;
  try {
    json = extractJson(text);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const parsed = TurnSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    return { ok: false, error: `${where}${issue?.message ?? "invalid action"}` };
  }
  return { ok: true, turn: parsed.data };
}

export const ACTION_FORMAT = `Reply with one JSON object and nothing else:
{"actions": [ ... up to ${MAX_ACTIONS_PER_TURN} actions ... ]}
Actions:
  {"type": "send_message", "to": ["all"] or [agent names], "text": "..."}
  {"type": "send_proposal", "to": ["all"] or [agent names], "proposal": "the full proposed agreement"}
  {"type": "accept_proposal", "id": "P1", "reason": "..."}
  {"type": "reject_proposal", "id": "P1", "reason": "..."}
  {"type": "write_to_memory", "text": "a private note to yourself"}
An empty list {"actions": []} passes the turn.`;
