import type { Command } from "commander";

export interface CommandGroups {
  /** `quorum eval <harness>` */
  eval: Command;
  /** `quorum guard <what>` */
  guard: Command;
}

export interface CommandModule {
  register(program: Command, groups: CommandGroups): void;
}

/**
 * Every subcommand lives in its own module and registers itself; main.ts only wires the program
 * and the error handling. Modules load lazily so `quorum --help` stays fast.
 */
export const commandModules: Array<() => Promise<CommandModule>> = [
  () => import("./run.js"),
  () => import("./eval-compositional.js"),
  () => import("./eval-magpie.js"),
  () => import("./eval-plan-risk.js"),
  () => import("./guard-plan.js"),
  () => import("./trace.js"),
  () => import("./eval-who-and-when.js"),
  () => import("./audit.js"),
  () => import("./eval-fault-injection.js"),
];
