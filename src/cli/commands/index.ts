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

type CommandPath = readonly [string] | readonly [string, string];

/** A module and the command paths it registers (`["eval", "magpie"]` is `quorum eval magpie`). */
export interface CommandEntry {
  paths: readonly CommandPath[];
  /** Other command paths that run this module's commands (`demo magpie` runs `eval magpie`). */
  usedBy?: readonly CommandPath[];
  load: () => Promise<CommandModule>;
}

/**
 * Every subcommand lives in its own module and registers itself; main.ts only wires the program
 * and the error handling. A call loads only the module of the command it names (see
 * `modulesFor`), so a process does not compile every command's dependencies to run one.
 */
export const commandModules: CommandEntry[] = [
  { paths: [["demo"], ["run"], ["resume"]], load: () => import("./run.js") },
  {
    paths: [["eval", "compositional"]],
    usedBy: [["demo", "compositional"]],
    load: () => import("./eval-compositional.js"),
  },
  { paths: [["eval", "magpie"]], usedBy: [["demo", "magpie"]], load: () => import("./eval-magpie.js") },
  { paths: [["eval", "plan-risk"]], load: () => import("./eval-plan-risk.js") },
  { paths: [["guard", "plan"]], load: () => import("./guard-plan.js") },
  { paths: [["trace"]], load: () => import("./trace.js") },
  { paths: [["eval", "who-and-when"]], load: () => import("./eval-who-and-when.js") },
  { paths: [["audit"]], load: () => import("./audit.js") },
  { paths: [["eval", "fault-injection"]], load: () => import("./eval-fault-injection.js") },
  { paths: [["gen", "risky-plans"]], load: () => import("./gen-risky-plans.js") },
  { paths: [["worker"]], load: () => import("./worker.js") },
  {
    paths: [
      ["eval", "status"],
      ["eval", "report"],
    ],
    load: () => import("./eval-batch.js"),
  },
];

/**
 * The modules a command line needs: the one registering the command its first words name, or
 * all of them when it names none (no command, a group without its subcommand, a typo), so help
 * and "unknown command" suggestions list everything.
 */
export function modulesFor(
  args: readonly string[],
  entries: readonly CommandEntry[] = commandModules,
): CommandEntry[] {
  // The program's own options (--debug, --version, --help) take no value, so the first words
  // that are not options are the command path.
  const [first, second] = args.filter((a) => !a.startsWith("-"));
  const names = (p: CommandPath) => p[0] === first && (p.length === 1 || p[1] === second);
  const named = entries.filter((e) => e.paths.some(names) || e.usedBy?.some(names));
  return named.length > 0 ? named : [...entries];
}
