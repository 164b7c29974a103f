import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { quickstartTeam } from "../examples/quickstart.js";
import { streamExample } from "../examples/stream.js";

describe("examples/stream.ts", () => {
  it("prints the run as it happens and returns its result", async () => {
    const lines: string[] = [];
    const result = await streamExample((line) => lines.push(line));
    expect(result.status).toBe("finished");
    expect(lines).toEqual([
      "planner proposes 1 step(s)",
      "plan guard plan-rules: allow",
      "alpha calls lookup",
      "verifier: pass",
      "verifier: pass",
      "finished: A is A",
    ]);
  });
});

describe("README, section 2", () => {
  it("the streaming snippet runs as written and prints the run as it happens", async () => {
    const readme = readFileSync("README.md", "utf8");
    const at = readme.indexOf("Watch a run as it happens");
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
    expect(block).toContain("for await (const event of run)");
    const lines: string[] = [];
    const print = { log: (...args: unknown[]) => lines.push(args.join(" ")) };
    // The snippet is plain JavaScript over the section's `team`.
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
      ...args: string[]
    ) => (...values: unknown[]) => Promise<unknown>;
    await new AsyncFunction("team", "console", block as string)(quickstartTeam(), print);
    expect(lines).toEqual(["alpha calls lookup", "finished A is A"]);
  });
});
