import type { z } from "zod";
import { type Criteria, CriteriaSchema, checkCriteria, describeCriteria } from "./criteria.js";
import type { Verification } from "./schemas.js";
import type { Verifier, VerifyInput } from "./types.js";

/** Criteria as users write them: every list may be left out. */
export type CriteriaInput = z.input<typeof CriteriaSchema>;

export interface RuleVerifierOptions {
  /** Criteria per step, keyed by step id or `<planVersion>:<stepId>`. */
  steps?: Readonly<Record<string, CriteriaInput>>;
  /** Criteria for the final answer; without them any non-empty answer passes. */
  final?: CriteriaInput;
}

export const VERIFIER_PROMPT = `You are the verifier of a multi-agent team. Check the output against the
stated criteria and the task. Reply with JSON only: {"pass": true|false, "reasons": ["..."]}.
Give a reason for every failure, specific enough that the author can fix it.`;

/**
 * Checks outputs against declared criteria; a step without criteria passes if non-empty.
 * Criteria are keyed like scripted outputs: step id, or `<planVersion>:<stepId>`.
 */
export class RuleVerifier implements Verifier {
  private readonly steps: Readonly<Record<string, Criteria>>;
  private readonly final: Criteria | undefined;

  constructor(options: RuleVerifierOptions = {}) {
    this.steps = Object.fromEntries(
      Object.entries(options.steps ?? {}).map(([k, c]) => [k, CriteriaSchema.parse(c)]),
    );
    this.final = options.final === undefined ? undefined : CriteriaSchema.parse(options.final);
  }

  criteriaFor(subject: VerifyInput["subject"]): Criteria | undefined {
    if (subject.kind === "final") return this.final;
    return this.steps[`${subject.planVersion}:${subject.step.id}`] ?? this.steps[subject.step.id];
  }

  async verify(input: VerifyInput): Promise<Verification> {
    const criteria = this.criteriaFor(input.subject) ?? { contains: [], notContains: [] };
    const reasons = checkCriteria(input.output, criteria);
    return reasons.length === 0
      ? { pass: true, reasons: [`meets: ${describeCriteria(criteria)}`] }
      : { pass: false, reasons };
  }
}
