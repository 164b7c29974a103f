import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commandModules, modulesFor } from "../../src/cli/commands/index.js";
import { buildProgram } from "../../src/cli/main.js";

const GROUPS = ["eval", "guard"];

/** Every command path a program registers: `run`, `eval magpie`, ... (a group alone is none). */
function pathsOf(program: Command): string[] {
  const out: string[] = [];
  for (const c of program.commands) {
    if (c.commands.length === 0 && !GROUPS.includes(c.name())) out.push(c.name());
    for (const sub of c.commands) out.push(`${c.name()} ${sub.name()}`);
  }
  return out.sort();
}

const declared = (entries = commandModules) => entries.flatMap((e) => e.paths.map((p) => p.join(" "))).sort();

describe("command modules", () => {
  it("declare exactly the command paths they register", async () => {
    // A command a module registers but does not declare could never be reached on its own.
    expect(pathsOf(await buildProgram())).toEqual(declared());
  });

  it("a command line loads only the module of the command it names", () => {
    const only = (args: string[]) => declared(modulesFor(args));
    expect(only(["run", "scenario.yaml", "--db", "x.db"])).toEqual(["demo", "resume", "run"]);
    expect(only(["--debug", "trace", "run.json"])).toEqual(["trace"]);
    expect(only(["eval", "magpie", "--data", "d"])).toEqual(["eval magpie"]);
    expect(only(["guard", "plan", "plan.json"])).toEqual(["guard plan"]);
    expect(only(["demo"])).toEqual(["demo", "resume", "run"]);
    // A feature demo runs the harness's own command.
    expect(only(["demo", "magpie"])).toEqual(["demo", "eval magpie", "resume", "run"]);
    expect(only(["demo", "compositional", "--json"])).toEqual([
      "demo",
      "eval compositional",
      "resume",
      "run",
    ]);
  });

  it("a line naming no command loads every module, so help and suggestions list them all", async () => {
    for (const args of [[], ["--help"], ["eval"], ["eval", "--help"], ["tarce", "x"], ["eval", "magpei"]])
      expect(modulesFor(args)).toHaveLength(commandModules.length);
    const help = (await buildProgram(["eval"])).commands.find((c) => c.name() === "eval");
    expect(help?.commands.map((c) => c.name()).sort()).toEqual(
      declared()
        .filter((p) => p.startsWith("eval "))
        .map((p) => p.slice(5)),
    );
  });

  it("a program built for one command parses that command's options", async () => {
    const program = await buildProgram(["trace", "--help"]);
    expect(pathsOf(program)).toEqual(["trace"]);
    const trace = program.commands.find((c) => c.name() === "trace");
    expect(trace?.options.map((o) => o.long)).toContain("--format");
  });
});
