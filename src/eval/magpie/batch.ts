import { fromZodError, UserInputError } from "../../core/index.js";
import {
  type BatchHarness,
  type BatchUnit,
  checkQueueUrl,
  connectQueue,
  DEFAULT_ATTEMPTS,
  DEFAULT_LEASE_SECONDS,
  enqueueBatch,
} from "../../queue/index.js";
import { type MagpieCommandOptions, MagpieCommandOptionsSchema } from "./command.js";
import { formatReport, type MagpieReport, type ScenarioReport } from "./report.js";
import { magpieReport, runMagpie } from "./run.js";
import type { MagpieScenario } from "./schema.js";
import {
  agentsFor,
  type DataRunInput,
  type MagpieRunSpec,
  MagpieRunSpecSchema,
  planDataRun,
} from "./setup.js";

/**
 * MAGPIE on the queue: a unit is one scenario under the batch's guards, privacy mode and agent
 * mode; a worker runs it with the same functions as a local run, and the report is assembled from
 * the per-scenario reports in scenario order, so it equals the local report of the same batch.
 */

/** Unit id: scenario x guard x mode (the harness has no random draw, so no seed). */
function unitId(spec: MagpieRunSpec, scenario: MagpieScenario): string {
  return `${scenario.id}|guard=${spec.guards.join("+") || "none"}|privacy=${spec.privacy}|mode=${spec.mode}`;
}

export function magpieBatch(
  input: DataRunInput,
  env: NodeJS.ProcessEnv,
): { spec: MagpieRunSpec; units: BatchUnit[] } {
  const { spec, scenarios } = planDataRun(input, env);
  const seen = new Map<string, number>();
  const units = scenarios.map((scenario) => {
    const id = unitId(spec, scenario);
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    // Two rows with the same scenario id are two units.
    return { id: n === 1 ? id : `${id}#${n}`, payload: scenario };
  });
  return { spec, units };
}

export const magpieHarness: BatchHarness = {
  name: "magpie",
  prepare(specData, context) {
    const spec = MagpieRunSpecSchema.parse(specData);
    const agents = agentsFor(spec, context.env, { baseUrl: context.baseUrl });
    return async (unit) => {
      // The payload is a scenario this harness's loader produced when the batch was enqueued.
      const scenario = unit.payload as MagpieScenario;
      const { report } = await runMagpie({
        scenarios: [scenario],
        mode: spec.mode,
        ...agents,
        guardNames: spec.guards,
        ...(spec.rounds !== undefined ? { rounds: spec.rounds } : {}),
        privacy: spec.privacy,
        model: spec.model,
      });
      return report.scenarios[0];
    };
  },
  report(specData, results): MagpieReport {
    const spec = MagpieRunSpecSchema.parse(specData);
    return magpieReport(
      {
        mode: spec.mode,
        model: spec.model,
        guardNames: spec.guards,
        privacy: spec.privacy,
        problems: spec.problems,
        judged: spec.judge,
      },
      results as ScenarioReport[],
    );
  },
  format(report, table) {
    return formatReport(report as MagpieReport, table);
  },
};

export interface QueueOptions {
  url: string;
  leaseSeconds?: number | undefined;
  attempts?: number | undefined;
}

/** `quorum eval magpie --data ... --queue URL`: checks the options as a local run would, then enqueues. */
export async function enqueueMagpie(
  input: MagpieCommandOptions,
  queue: QueueOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ batch: string; units: number }> {
  const parsed = MagpieCommandOptionsSchema.safeParse(input);
  if (!parsed.success)
    throw fromZodError(parsed.error, { file: "command line", hint: "see quorum eval magpie --help" });
  const o = parsed.data;
  const other = [
    o.script && "--script",
    o.replay && "--replay",
    o.detectorCheck && "--detector-check",
    o.out && "--out",
  ];
  const refused = other.filter((x): x is string => typeof x === "string");
  if (o.data === undefined || refused.length > 0) {
    throw new UserInputError(
      o.data === undefined ? "--queue needs --data" : `--queue does not take ${refused.join(", ")}`,
      { field: "--queue", hint: "a batch runs the scenarios of --data; run the others without --queue" },
    );
  }
  const lease = queue.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const attempts = queue.attempts ?? DEFAULT_ATTEMPTS;
  if (!Number.isInteger(lease) || lease < 1)
    throw new UserInputError("--lease must be a whole number of seconds", { field: "--lease" });
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20)
    throw new UserInputError("--attempts must be a whole number from 1 to 20", { field: "--attempts" });
  checkQueueUrl(queue.url);
  const { spec, units } = magpieBatch({ ...o, data: o.data }, env);
  const q = await connectQueue(queue.url);
  try {
    const batch = await enqueueBatch(q, { harness: "magpie", spec, units, leaseSeconds: lease, attempts });
    return { batch, units: units.length };
  } finally {
    await q.close();
  }
}
