import type { Command } from "commander";
import { z } from "zod";
import { type AuditReport, auditRunFile } from "../../eval/audit/index.js";
import { parseFlags } from "../flags.js";
import { printJson, println, table } from "../output.js";
import type { CommandGroups } from "./index.js";

const FlagsSchema = z.object({
  canary: z.array(z.string().min(1, "a canary must not be empty")).default([]),
  log: z.string().min(1).optional(),
  scenario: z.string().min(1).optional(),
  json: z.boolean().optional(),
});

export function register(program: Command, _groups: CommandGroups): void {
  program
    .command("audit")
    .argument("<run>", "a run file (runs/<runId>.json)")
    .description("look for private values (canaries) in every channel a run writes to")
    .option(
      "--canary <value>",
      "a private value to look for (repeatable)",
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option("--log <file>", "also search this log file")
    .option("--scenario <file>", "the scenario the run came from (default: the one the run file names)")
    .option("--json", "print the machine-readable report")
    .action(async (file: string, raw: Record<string, unknown>) => {
      const flags = parseFlags(FlagsSchema, raw, "audit");
      const report = await auditRunFile(file, {
        canaries: flags.canary,
        ...(flags.log !== undefined ? { logFile: flags.log } : {}),
        ...(flags.scenario !== undefined ? { scenarioFile: flags.scenario } : {}),
      });
      if (flags.json) printJson(report);
      else printReport(report);
      // Like a linter: a leak is a failed check.
      if (!report.clean) process.exitCode = 1;
    });
}

function printReport(r: AuditReport): void {
  println(
    `Audit of run ${r.runId}: ${r.canaries.length} declared canar${r.canaries.length === 1 ? "y" : "ies"}`,
  );
  for (const c of r.canaries)
    println(`  ${c.id}: ${c.masked}${c.allowed ? `, audience ${c.allowed.join(", ")}` : ""}`);
  if (r.includesPrivate) println("The run file keeps private values (written with --include-private).");
  println("");
  println(
    table(
      ["channel", "checked", "found"],
      r.channels.map((c) => [c.channel, c.checked ? "yes" : "no (not given)", String(c.findings.length)]),
    ),
  );
  for (const c of r.channels) {
    for (const f of c.findings.slice(0, 20)) println(`  ${c.channel}: ${f.canary} at ${f.where}`);
    if (c.findings.length > 20) println(`  ${c.channel}: ... and ${c.findings.length - 20} more`);
  }
  println("");
  println(r.clean ? "No canary found outside its audience." : "Canaries found: see above.");
}
