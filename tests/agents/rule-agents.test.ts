import { describe, expect, it } from "vitest";
import { RuleVerifier, TemplateSupervisor } from "../../src/index.js";

const step = (id: string) => ({ id, agent: "a", instruction: "x", dependsOn: [], tools: [] });

describe("RuleVerifier options", () => {
  it("checks step criteria by step id and by plan version, with omitted lists", async () => {
    const v = new RuleVerifier({ steps: { a: { contains: ["ok"] }, "2:a": { notContains: ["bad"] } } });
    const v1 = { kind: "step" as const, planVersion: 1, step: step("a") };
    const v2 = { kind: "step" as const, planVersion: 2, step: step("a") };
    expect((await v.verify({ subject: v1, output: "all ok", task: "t" } as never)).pass).toBe(true);
    expect((await v.verify({ subject: v1, output: "nope", task: "t" } as never)).reasons).toEqual([
      'does not mention "ok"',
    ]);
    expect((await v.verify({ subject: v2, output: "a bad one", task: "t" } as never)).pass).toBe(false);
  });

  it("passes any non-empty final answer without final criteria, and applies them when given", async () => {
    const final = { kind: "final" as const };
    expect((await new RuleVerifier().verify({ subject: final, output: "x", task: "t" } as never)).pass).toBe(
      true,
    );
    expect((await new RuleVerifier().verify({ subject: final, output: " ", task: "t" } as never)).pass).toBe(
      false,
    );
    const strict = new RuleVerifier({ final: { matches: "^\\d+$" } });
    expect((await strict.verify({ subject: final, output: "12a", task: "t" } as never)).pass).toBe(false);
  });

  it("rejects malformed criteria at construction", () => {
    expect(() => new RuleVerifier({ final: { contains: "ok" as never } })).toThrow();
  });
});

describe("TemplateSupervisor options", () => {
  const outputs = [
    { stepId: "a", output: "A" },
    { stepId: "b", output: "B" },
  ];
  it("fills placeholders and leaves unknown ones", async () => {
    const s = new TemplateSupervisor({ template: "{{a}} and {{ b }} but {{c}}" });
    expect(await s.compose({ outputs } as never)).toBe("A and B but {{c}}");
  });
  it("joins outputs line by line without a template", async () => {
    expect(await new TemplateSupervisor().compose({ outputs } as never)).toBe("A\nB");
  });
});
