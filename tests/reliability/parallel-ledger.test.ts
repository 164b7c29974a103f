// Issue 21 point 7: parallel branches of one superstep are checked against the disclosure ledger
// as if they ran in sequence, for ToM, CoDef and any message or tool-call guard.

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool } from "../../src/core/index.js";
import { Runtime } from "../../src/graph/index.js";
import { CoDefGuard, TomGuard } from "../../src/guards/privacy/index.js";
import type {
  MessageGuard,
  MessageGuardInput,
  ToolCallGuard,
  ToolCallGuardInput,
  Verdict,
} from "../../src/guards/types.js";
import { disclosedKeys, ledgerFor } from "../../src/memory/index.js";
import { TWO_TABLE_POLICY, twoTableTeam } from "./two-tables.js";

const POLICY = TWO_TABLE_POLICY;
const L = new Set(POLICY.sensitive.map((r) => `${r.owner}/${r.table}`));

/** Two specialists, each sending one table of L; in parallel, or b after a. */
const team = (guard: MessageGuard, parallel: boolean) =>
  twoTableTeam({
    parallel,
    salaries: [91250, 48000],
    names: ["Ada", "Bo"],
    extra: { guards: { message: [guard] } },
  });

const held = (t: ReturnType<typeof team>, threadId: string, agent: string) => {
  const runtime = t.runtime(threadId);
  if (!runtime) throw new Error("no runtime");
  const keys = disclosedKeys(ledgerFor(runtime.log).heldBy(runtime.runId, agent));
  return [...keys].filter((k) => L.has(k)).sort();
};

describe("two specialists each send one table of a sensitive combination", () => {
  const guards: Array<[string, () => MessageGuard]> = [
    ["tom", () => new TomGuard({ policy: POLICY })],
    ["codef", () => new CoDefGuard({ policy: POLICY, voters: ["alpha", "beta"] })],
  ];
  for (const [name, make] of guards) {
    for (const parallel of [false, true]) {
      it(`${name}, ${parallel ? "in parallel" : "in sequence"}: no recipient ends with both`, async () => {
        const t = team(make(), parallel);
        const threadId = `${name}-${parallel ? "par" : "seq"}`;
        const r = await t.run("report", { threadId });
        for (const agent of ["verifier", "supervisor"])
          expect(held(t, threadId, agent), agent).toHaveLength(1);
        const blocks = r.items.filter(
          (i) =>
            i.kind === "verdict" &&
            (i.content as Verdict).decision === "block" &&
            (i.content as Verdict).guard === name,
        );
        expect(blocks.length).toBeGreaterThan(0);
      });
    }
  }
});

describe("concurrent sends on one runtime", () => {
  it("an asynchronous guard sees each earlier send's delivery", async () => {
    const seen: number[] = [];
    // Counts how many messages reached the recipient before it answers, after a pause in which a
    // concurrent send could slip in if check and delivery were not one section.
    const slow: MessageGuard = {
      name: "slow-count",
      async checkMessage(input: MessageGuardInput): Promise<Verdict> {
        const before = input.log.seenBy(input.runId, "sink").length;
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push(before);
        return {
          guard: "slow-count",
          hook: "message",
          decision: before >= 1 ? "block" : "allow",
          flagged: false,
          rationale: `${before}`,
        };
      },
    };
    const runtime = new Runtime({ runId: "c", guards: { message: [slow] } });
    const sends = [0, 1, 2].map((i) =>
      runtime.send({ from: `w${i}`, to: ["sink"], step: 1, content: `m${i}`, derivedFrom: [] }),
    );
    const results = await Promise.all(sends);
    expect(seen).toEqual([0, 1, 1]);
    expect(results.map((r) => r.decision)).toEqual(["allow", "block", "block"]);
  });

  it("tool-call guards too: concurrent calls are checked after the earlier ones are recorded", async () => {
    const sink = defineTool({
      name: "send",
      description: "sends outside",
      schema: z.object({ text: z.string() }),
      effects: ["sends_outside"],
      run: () => ({ sent: true }),
    });
    // Allows one call to the sink per run, after a pause in which another call could slip in.
    const once: ToolCallGuard = {
      name: "once",
      async checkToolCall(input: ToolCallGuardInput): Promise<Verdict> {
        const earlier = input.log
          .items({ runId: input.runId, kind: "tool_call" })
          .filter((i) => !i.labels.includes("withheld"));
        await new Promise((resolve) => setTimeout(resolve, 5));
        const decision = earlier.length === 0 ? "allow" : "block";
        return {
          guard: "once",
          hook: "tool_call",
          decision,
          flagged: decision === "block",
          rationale: `${earlier.length} earlier`,
        };
      },
    };
    const runtime = new Runtime({ runId: "t", guards: { toolCall: [once] } });
    const calls = [0, 1, 2].map((i) =>
      runtime.callTool(`w${i}`, 1, sink, { text: `m${i}` }, { idempotencyKey: `k${i}`, derivedFrom: [] }),
    );
    const statuses = (await Promise.all(calls)).map((r) => r.status);
    expect(statuses).toEqual(["executed", "blocked", "blocked"]);
  });
});
