import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { fromZodError, UserInputError } from "../../core/index.js";
import {
  fromSafironRecord,
  fromTrajectory,
  SafironRecordSchema,
  TrajectoryRecordSchema,
  type TrajectoryView,
} from "../../guards/plan/adapters.js";
import type { NormalisedPlan } from "../../guards/plan/model.js";
import { type GoldRiskType, goldRiskType } from "./risk-map.js";

/** One labelled record, ready to normalise. */
export interface PlanRiskRecord {
  id: string;
  unsafe: boolean;
  /** Unsafe records with a known risk type only. */
  gold?: GoldRiskType;
  /** Generated records: how the risk was made, and the first risky step (index into the plan's steps). */
  strategy?: string;
  firstRiskyStep?: number;
  toPlan(view: TrajectoryView): NormalisedPlan;
}

const LabelledSafiron = SafironRecordSchema.extend({
  label: z.union([z.literal(0), z.literal(1)]),
  strategy: z.string().optional(),
  first_risky_step: z.number().int().nonnegative().nullable().optional(),
});

/**
 * Reads R-Judge / ASSEBench trajectories or labelled Safiron-style records from a JSON array or
 * JSON-lines file, or from the single JSON file in a folder.
 */
export function loadPlanRiskData(path: string): PlanRiskRecord[] {
  const file = resolveDataFile(path);
  const text = readFileSync(file, "utf8");
  let raw: unknown;
  try {
    raw = file.endsWith(".jsonl")
      ? text
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => JSON.parse(l))
      : JSON.parse(text);
  } catch (error) {
    throw new UserInputError(`not valid JSON: ${(error as Error).message}`, { file });
  }
  if (!Array.isArray(raw))
    throw new UserInputError("expected a JSON array of records", { file, field: "(root)" });
  return raw.map((entry, i) => toRecord(entry, i, file));
}

function toRecord(entry: unknown, i: number, file: string): PlanRiskRecord {
  const isTrajectory = typeof entry === "object" && entry !== null && "contents" in entry;
  if (isTrajectory) {
    const parsed = TrajectoryRecordSchema.safeParse(entry);
    if (!parsed.success)
      throw fromZodError(parsed.error, {
        file,
        fieldPrefix: String(i),
        hint: "an R-Judge / ASSEBench record",
      });
    const r = parsed.data;
    const gold = r.label === 1 ? goldRiskType(r.risk_type) : undefined;
    return {
      id: String(r.id),
      unsafe: r.label === 1,
      ...(gold ? { gold } : {}),
      toPlan: (view) => fromTrajectory(r, view),
    };
  }
  const parsed = LabelledSafiron.safeParse(entry);
  if (!parsed.success) {
    throw fromZodError(parsed.error, {
      file,
      fieldPrefix: String(i),
      hint: "a trajectory (`contents`) or a Safiron-style record (`user_request`, `agent_action`, `label`)",
    });
  }
  const r = parsed.data;
  const gold = r.label === 1 ? goldRiskType(r.risk_type) : undefined;
  return {
    id: r.id !== undefined ? String(r.id) : `#${i}`,
    unsafe: r.label === 1,
    ...(gold ? { gold } : {}),
    ...(r.strategy !== undefined ? { strategy: r.strategy } : {}),
    ...(typeof r.first_risky_step === "number" ? { firstRiskyStep: r.first_risky_step } : {}),
    // Safiron-style records carry no tool outputs: both views are the same plan.
    toPlan: () => fromSafironRecord(r),
  };
}

function resolveDataFile(path: string): string {
  if (!existsSync(path)) {
    throw new UserInputError("no such file or folder", { file: path, hint: "pass --data <file.json>" });
  }
  if (!statSync(path).isDirectory()) return path;
  const files = readdirSync(path).filter((f) => f.endsWith(".json") || f.endsWith(".jsonl"));
  if (files.length !== 1) {
    throw new UserInputError(`expected one .json file in the folder, found ${files.length}`, {
      file: path,
      hint: "pass the data file itself",
    });
  }
  return join(path, files[0] as string);
}
