import { z } from "zod";
import type { PenaltySummary } from "./penalties.js";

/**
 * The MAGPIE scenario as published (one row per scenario), and the normalised form the simulator
 * and the scorer use. The raw schema is lenient where the release varies (private items under
 * `private_preferences` or `private_information`, criteria as a map or a list) and strict where a
 * run cannot proceed without the field (agent names, private values).
 */

const Text = z.string();

const PrivateEntry = z.union([
  Text.min(1).transform((value) => ({ value }) as Record<string, unknown> & { value: string }),
  z.looseObject({ value: Text.min(1) }),
]);

const PrivateList = z.array(
  z.looseObject({
    value: Text.min(1),
    name: Text.optional(),
    key: Text.optional(),
  }),
);

const PrivateContainer = z.union([z.record(z.string(), PrivateEntry), PrivateList]);

const ShareableEntry = z.union([
  Text.transform((description) => ({ description }) as Record<string, unknown> & { description: string }),
  z.looseObject({ description: Text }),
]);

export const RawAgentSchema = z.looseObject({
  name: Text.min(1),
  role: Text.optional(),
  description: Text.optional(),
  shareable_preferences: z.record(z.string(), ShareableEntry).optional(),
  private_preferences: PrivateContainer.nullable().optional(),
  private_information: PrivateContainer.nullable().optional(),
});
export type RawAgent = z.infer<typeof RawAgentSchema>;

const Criteria = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()), Text]);

export const RawScenarioSchema = z.looseObject({
  file_name: Text.optional(),
  id: z.union([Text, z.number()]).optional(),
  scenario: Text,
  task: Text,
  agent_number: z.coerce.number().int().positive().optional(),
  agent_names: z.array(Text).optional(),
  agents: z.array(RawAgentSchema).min(2, "a negotiation needs at least two agents"),
  success_criteria: Criteria.optional(),
  constraints: z
    .union([
      z.looseObject({ verifiable: z.array(z.unknown()).optional(), hidden: z.array(z.unknown()).optional() }),
      z.array(z.unknown()),
    ])
    .optional(),
  deliverable: z.union([Text, z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  solvability_note: Text.optional(),
});
export type RawScenario = z.infer<typeof RawScenarioSchema>;

export interface ShareablePreference {
  key: string;
  description: string;
  utilityImpact?: string;
}

export interface PrivateItem {
  /** `<agent>/<key>`: unique within a scenario. */
  id: string;
  owner: string;
  key: string;
  value: string;
  reason?: string;
  utilityImpact?: string;
  penalty: PenaltySummary;
  /** Explicit penalty fields as written, kept for the report. */
  penaltyFields: Record<string, unknown>;
}

export interface MagpieAgent {
  name: string;
  role: string;
  description: string;
  shareable: ShareablePreference[];
  private: PrivateItem[];
}

export interface MagpieScenario {
  id: string;
  source: { file: string; line?: number };
  description: string;
  task: string;
  deliverable: string;
  successCriteria: string[];
  constraints: { verifiable: string[]; hidden: string[] };
  solvabilityNote?: string;
  agents: MagpieAgent[];
}

/** Everything any agent of the scenario is told in public: the detector's "already known" text. */
export function publicTextOf(s: MagpieScenario): string {
  const parts = [s.description, s.task, s.deliverable, ...s.successCriteria, ...s.constraints.verifiable];
  for (const a of s.agents) {
    parts.push(a.name, a.role, a.description);
    for (const p of a.shareable) parts.push(p.description, p.utilityImpact ?? "");
  }
  return parts.join("\n");
}

export function privateItemsOf(s: MagpieScenario): PrivateItem[] {
  return s.agents.flatMap((a) => a.private);
}
