import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { asQuorumError, UserInputError } from "../core/index.js";
import { modulesFor } from "./commands/index.js";

/** The program with the commands `args` (the words after `quorum`) need; all of them by default. */
export async function buildProgram(args: readonly string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name("quorum")
    .description("Multi-agent runtime with provenance, privacy defenses, plan guardrail and failure tracing")
    .version(packageVersion(), "-V, --version", "print the version")
    .option("--debug", "print stack traces for errors")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError("(run with --help for usage)");
  const groups = {
    eval: program.command("eval").description("run an evaluation harness"),
    guard: program.command("guard").description("check something with a guard"),
  };
  for (const entry of modulesFor(args)) (await entry.load()).register(program, groups);
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 bad input). */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    const program = await buildProgram(argv.slice(2));
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its one-line message (or the help text).
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.help" ||
        error.code === "commander.version"
      ) {
        return 0;
      }
      return 2;
    }
    const qe = asQuorumError(error);
    process.stderr.write(`${qe.toLine()}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    else if (!(qe instanceof UserInputError) && qe.code === "internal") {
      process.stderr.write("(run with --debug for the stack trace)\n");
    }
    return qe.exitCode;
  }
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}
