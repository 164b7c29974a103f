import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import { fromZodError, UserInputError } from "../../core/index.js";
import {
  fromSafironRecord,
  fromTrajectory,
  SafironRecordSchema,
  TrajectoryRecordSchema,
} from "../../guards/plan/adapters.js";
import { createPlanGuard } from "../../guards/plan/guard.js";
import { fromPlanFile, type NormalisedPlan, PlanFileSchema } from "../../guards/plan/model.js";
import { loadPolicy } from "../../guards/plan/policy.js";
import { createChatModel } from "../../models/factory.js";
import { parseFlags } from "../flags.js";
import { printJson, println } from "../output.js";
import type { CommandGroups } from "./index.js";

/** The flags every plan-guard command shares (also used by `eval plan-risk`). */
export const PlanGuardFlags = z.object({
  view: z.enum(["plan", "observations"]),
  mode: z.enum(["rules", "judge", "layered"]),
  model: z.string().min(1).optional(),
  policy: z.string().min(1).optional(),
  json: z.boolean().optional(),
});
const FlagsSchema = PlanGuardFlags;

/** The trajectory view of `guard plan` and `eval plan-risk` alike: the plan as a guard sees it before it runs. */
export const DEFAULT_VIEW = "plan";

export function register(_program: Command, groups: CommandGroups): void {
  groups.guard
    .command("plan <plan.json>")
    .description(
      "check one plan (plan file, Safiron-style record or R-Judge/ASSEBench trajectory) and print the verdict",
    )
    .option(
      "--view <view>",
      "for trajectories: plan: actions only | observations: actions with the tool outputs before them",
      DEFAULT_VIEW,
    )
    .option("--mode <mode>", "rules | judge | layered", "rules")
    .option("--model <name>", "judge model for judge/layered, via OPENAI_BASE_URL")
    .option("--policy <file>", "policy YAML (default: the shipped policies/default.yaml)")
    .option("--json", "print the verdict as JSON")
    .action(async (file: string, raw: Record<string, unknown>) => {
      const flags = parseFlags(FlagsSchema, raw, "guard plan");
      const plan = readPlan(file, flags.view);
      const guard = createPlanGuard({
        mode: flags.mode,
        ...(flags.policy !== undefined ? { policy: loadPolicy(flags.policy) } : {}),
        ...(flags.mode !== "rules"
          ? { judge: createChatModel(flags.model !== undefined ? { model: flags.model } : {}) }
          : {}),
      });
      const verdict = await guard.checkNormalised(plan);
      // A blocked plan is a refusal: exit 2, like refused input, so a script can stop on it.
      if (verdict.decision === "block") process.exitCode = 2;
      if (flags.json) {
        printJson(verdict);
        return;
      }
      println(`decision: ${verdict.decision}${verdict.failClosed ? " (fail closed)" : ""}`);
      if (verdict.flagged) {
        println(`risk: ${verdict.riskType ?? "unspecified"}`);
        println(`steps: ${(verdict.stepIndices ?? []).join(", ")}`);
      }
      println(`rationale: ${verdict.rationale}`);
    });
}

/** A plan file, a Safiron-style record or a trajectory, told apart by their keys. */
function readPlan(file: string, view: "plan" | "observations"): NormalisedPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserInputError(
      code ? `cannot read file (${code})` : `not valid JSON: ${(error as Error).message}`,
      { file },
    );
  }
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) {
    if ("contents" in raw) {
      const r = TrajectoryRecordSchema.safeParse(raw);
      if (!r.success) throw fromZodError(r.error, { file });
      return fromTrajectory(r.data, view);
    }
    if ("user_request" in raw) {
      const r = SafironRecordSchema.safeParse(raw);
      if (!r.success) throw fromZodError(r.error, { file });
      return fromSafironRecord(r.data);
    }
  }
  const r = PlanFileSchema.safeParse(raw);
  if (!r.success) {
    throw fromZodError(r.error, {
      file,
      hint: "a plan file {userRequest, steps[{tool, args}]}, a Safiron-style record or a trajectory",
    });
  }
  return fromPlanFile(r.data);
}
