import type { Command } from "commander";
import { z } from "zod";
import { runSeed, type SeedOutcome, score } from "../../eval/fault-injection/index.js";
import { parseFlags } from "../flags.js";
import { printJson, println, table } from "../output.js";
import { createProgress } from "../progress.js";
import type { CommandGroups } from "./index.js";

const Flags = z.object({
  seeds: z.coerce.number().int().min(1).max(10_000).default(50),
  from: z.coerce.number().int().min(0).default(1),
  replay: z.boolean().default(true),
  json: z.boolean().default(false),
});

export function register(_program: Command, groups: CommandGroups): void {
  groups.eval
    .command("fault-injection")
    .description(
      "inject a wrong value into generated deterministic team runs and score root-cause attribution",
    )
    .option("--seeds <n>", "how many seeds (one generated team and one injected fault each)", "50")
    .option("--from <seed>", "first seed", "1")
    .option("--no-replay", "skip confirming the IDG's root cause by counterfactual replay")
    .option("--json", "print only the machine-readable result")
    .action(async (raw: Record<string, unknown>) => {
      const f = parseFlags(Flags, raw, "eval fault-injection");
      const progress = createProgress("fault injection", f.seeds, { quiet: f.json });
      const outcomes: SeedOutcome[] = [];
      for (let seed = f.from; seed < f.from + f.seeds; seed++) {
        outcomes.push(await runSeed(seed, { replay: f.replay }));
        progress.tick(`seed ${seed}`);
      }
      progress.stop();
      const rows = score(outcomes.filter((o) => o.failed));
      if (f.json) {
        printJson({ splits: rows });
        return;
      }
      println(
        `Fault injection: ${outcomes.length} seeds, ${outcomes.filter((o) => o.failed).length} runs failed and were traced`,
      );
      println(
        table(
          ["method", "n", "agent acc %", "step acc %"],
          rows.map((r) => [r.method, String(r.n), r.agentAccuracy.toFixed(1), r.stepAccuracy.toFixed(1)]),
        ),
      );
      println("Deterministic generated teams (no model): a specialist misreads its tool result or miscopies");
      println(
        "an upstream value, or the planner asks a step to read a probe that does not exist; the truth is",
      );
      println(
        "the injected step (the plan, for a planner fault). idg+replay counts root causes confirmed by replay.",
      );
    });
}
