import { describe, expect, it } from "vitest";
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
