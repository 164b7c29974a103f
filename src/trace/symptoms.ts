import { negativeVerdict, toolErrorIn } from "./signals.js";
import { normaliseAnswer } from "./tokens.js";
import type { Idg, IdgNode, TraceInput } from "./types.js";

export const SYMPTOM_KINDS = [
  "wrong_final_answer",
  "failed_verification",
  "blocked_plan",
  "tool_error",
  "final_step",
] as const;
export type SymptomKind = (typeof SYMPTOM_KINDS)[number];

export interface Symptom {
  itemId: string;
  agent: string;
  step: number;
  kind: SymptomKind;
  detail: string;
}

/**
 * Every visible failure of a run: tool errors, negative verdicts and verifications, a wrong final
 * answer, and for imported logs or runs that did not finish the concluding item.
 */
export function detectSymptoms(input: TraceInput, idg: Idg, finalAnswerCorrect: boolean | null): Symptom[] {
  const out: Symptom[] = [];
  const sym = (node: IdgNode, kind: SymptomKind, detail: string): void => {
    out.push({ itemId: node.id, agent: node.agent, step: node.step, kind, detail });
  };
  const released = releasedVerdicts(idg);
  for (const node of idg.nodes) {
    if (node.role === "tool") {
      const err = toolErrorIn(node, input.source === "run");
      if (err) sym(node, "tool_error", err);
    } else if (node.role === "verdict" || node.item.kind === "verification") {
      if (released.has(node.id)) continue;
      const verdict = negativeVerdict(node);
      if (verdict)
        sym(node, isPlanVerdict(node) ? "blocked_plan" : "failed_verification", `${node.agent}: ${verdict}`);
    }
  }
  const last = concludingNode(idg.nodes);
  let finalNode: IdgNode | undefined;
  for (let i = idg.nodes.length - 1; i >= 0 && !finalNode; i--)
    if (idg.nodes[i]?.item.kind === "final_answer") finalNode = idg.nodes[i];
  if (!finalNode && input.source === "imported") finalNode = last;
  if (finalNode && finalAnswerCorrect === false) {
    sym(
      finalNode,
      "wrong_final_answer",
      `final answer ${JSON.stringify(input.finalAnswer ?? finalNode.text.slice(0, 80))} does not match the ground truth`,
    );
  }
  // A run that finished with nothing rejected and no ground truth against it has no failure to explain.
  const failed = input.source === "imported" || input.status !== "finished";
  if (last && failed && !out.some((s) => s.itemId === last.id)) {
    sym(
      last,
      "final_step",
      input.reason ?? (input.status ? `run ended ${input.status}` : "last step of a failed log"),
    );
  }
  return out;
}

/** The failure to explain: a wrong answer first, then a rejection or block, then a tool error. */
export function primarySymptom(symptoms: ReadonlyArray<Symptom>): Symptom | null {
  const order: SymptomKind[] = [
    "wrong_final_answer",
    "blocked_plan",
    "failed_verification",
    "final_step",
    "tool_error",
  ];
  for (const kind of order) {
    const matching = symptoms.filter((s) => s.kind === kind);
    const lastOne = matching[matching.length - 1];
    if (lastOne) return lastOne;
  }
  return null;
}

/**
 * Checks the run answered: a plan held for approval that a person approved or edited, and a failed
 * verification of a step that a later verification of the same step passed (a retry fixed it).
 * Neither stopped the run, so neither is a symptom nor evidence against anyone.
 */
export function releasedVerdicts(idg: Idg): ReadonlySet<string> {
  const out = new Set<string>();
  const failedByStep = new Map<string, string[]>();
  for (const node of idg.nodes) {
    const labels = node.item.labels;
    if (labels.some((l) => l === "approval:approve" || l === "approval:edit")) {
      for (const id of node.item.derivedFrom) out.add(id);
    }
    if (node.item.kind !== "verification") continue;
    const step = labels.find((l) => l.startsWith("plan-step:"));
    if (!step) continue;
    if (labels.includes("fail")) failedByStep.set(step, [...(failedByStep.get(step) ?? []), node.id]);
    else if (labels.includes("pass")) {
      for (const id of failedByStep.get(step) ?? []) out.add(id);
      failedByStep.delete(step);
    }
  }
  return out;
}

export function isPlanVerdict(node: IdgNode): boolean {
  const c = node.item.content;
  return c !== null && typeof c === "object" && (c as Record<string, unknown>).hook === "plan";
}

/**
 * The last node that says something: a closing "TERMINATE" or "done" is a control word, the
 * failure shows in the conclusion before it.
 */
export function concludingNode(nodes: ReadonlyArray<IdgNode>): IdgNode | undefined {
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (node && (node.role !== "agent" || node.text.trim().length >= 30)) return node;
  }
  return nodes[nodes.length - 1];
}

export function lastAgentText(nodes: ReadonlyArray<IdgNode>): string | null {
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (node && node.role === "agent") return node.text;
  }
  return null;
}

/** null when there is nothing to compare (no ground truth or no answer). */
export function answerMatches(answer: string | null, groundTruth: string | undefined): boolean | null {
  if (groundTruth === undefined || answer === null) return null;
  const a = normaliseAnswer(answer);
  const g = normaliseAnswer(groundTruth);
  if (g.length === 0) return null;
  if (a === g) return true;
  // A short answer inside a longer final message counts; word boundaries keep "1" from matching "12".
  const escaped = g.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return (
    new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, "u").test(a) &&
    a.length <= g.length * 4 + 40
  );
}
