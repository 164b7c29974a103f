// The event deriver on a hand-driven runtime: what a redacted, a blocked and an allowed message,
// a denied read and a withheld tool call become, from the log alone.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  defineTool,
  EventLog,
  RUN_FILE_FORMAT,
  RUN_FILE_VERSION,
  type RunFile,
  redactItem,
  type TeamEvent,
  teamEventsOf,
} from "../../src/core/index.js";
import { Runtime } from "../../src/graph/runtime.js";
import type { MessageGuard, ToolCallGuard } from "../../src/guards/types.js";

const SECRET = "CANARY-7731-secret";

const guard: MessageGuard = {
  name: "words",
  checkMessage: ({ message }) => {
    const text = String(message.content);
    if (text.includes("block me"))
      return {
        guard: "words",
        hook: "message",
        decision: "block",
        flagged: true,
        rationale: "states a private code",
      };
    if (text.includes(SECRET))
      return {
        guard: "words",
        hook: "message",
        decision: "redact",
        flagged: true,
        rationale: "redacted a private code",
        replacement: text.replace(SECRET, "[code]"),
      };
    return { guard: "words", hook: "message", decision: "allow", flagged: false, rationale: "ok" };
  },
};
const noSend: ToolCallGuard = {
  name: "no-send",
  checkToolCall: () => ({
    guard: "no-send",
    hook: "tool_call",
    decision: "block",
    flagged: true,
    rationale: "outside",
  }),
};
const send = defineTool({
  name: "send",
  description: "send outside",
  schema: z.object({ text: z.string() }),
  effects: ["sends_outside"],
  run: () => ({ ok: true }),
});

async function scriptedRun(): Promise<RunFile> {
  let n = 0;
  const log = new EventLog({ newItemId: (k) => `${k}${++n}` });
  const rt = new Runtime({ runId: "r1", log, guards: { message: [guard], toolCall: [noSend] } });
  const note = rt.emit({
    step: 1,
    author: "alice",
    kind: "memory_write",
    content: SECRET,
    sensitivity: "private",
    audience: ["alice"],
  });
  await rt.send({ from: "alice", to: ["bob"], step: 1, content: `the code is ${SECRET}` });
  await rt.send({ from: "alice", to: ["bob"], step: 1, content: "block me please" });
  await rt.send({ from: "alice", to: ["bob"], step: 1, content: "hello" });
  log.deliver(note.id, "bob", 2, "memory");
  await rt.callTool("bob", 2, send, { text: SECRET }, { idempotencyKey: "k1" });
  const snap = log.snapshot("r1");
  return {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    runId: "r1",
    threadId: "t1",
    task: "t",
    status: "finished",
    finalAnswer: null,
    agents: ["alice", "bob"],
    items: snap.items.map((i) => redactItem(i)),
    events: snap.events,
    verdicts: [],
    usage: { modelCalls: 0, inputTokens: 0, outputTokens: 0, byAgent: {} },
    includesPrivate: false,
  };
}

const pick = <T extends TeamEvent["type"]>(events: TeamEvent[], type: T) =>
  events.filter((e): e is Extract<TeamEvent, { type: T }> => e.type === type);

describe("teamEventsOf", () => {
  it("names redacted, blocked and delivered messages with their reasons", async () => {
    const events = teamEventsOf(await scriptedRun());
    const redacted = pick(events, "message.redacted");
    expect(redacted).toHaveLength(1);
    expect(redacted[0]).toMatchObject({
      mode: "redact",
      from: "alice",
      to: ["bob"],
      reasons: ["redacted a private code"],
    });
    const blocked = pick(events, "message.blocked");
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({ from: "alice", reasons: ["states a private code"] });
    // Only the redacted replacement and the allowed message reached bob.
    const delivered = pick(events, "message.delivered");
    expect(delivered.map((d) => d.itemId)).toEqual([redacted[0]?.itemId, expect.any(String)]);
    expect(pick(events, "access.denied")).toMatchObject([{ agent: "bob", via: "memory" }]);
    // Each outcome comes when it is known: the blocked one before the next message is delivered.
    expect(events.indexOf(blocked[0] as TeamEvent)).toBeLessThan(events.indexOf(delivered[1] as TeamEvent));
  });

  it("a withheld tool call is named by its blocked record, with its verdicts after it", async () => {
    const events = teamEventsOf(await scriptedRun());
    const i = events.findIndex((e) => e.type === "tool.called");
    expect(events.slice(i, i + 3).map((e) => e.type)).toEqual([
      "tool.called",
      "guard.verdict",
      "tool.result",
    ]);
    expect(events[i]).toMatchObject({ tool: "send", agent: "bob" });
    expect(events[i + 2]).toMatchObject({ status: "blocked", reasons: ["outside"] });
  });

  it("starts and ends each agent step once, and carries no private value", async () => {
    const events = teamEventsOf(await scriptedRun());
    expect(pick(events, "step.started").map((e) => `${e.agent}@${e.step}`)).toEqual(["alice@1", "bob@2"]);
    expect(pick(events, "step.finished").map((e) => `${e.agent}@${e.step}`)).toEqual(["alice@1", "bob@2"]);
    expect(JSON.stringify(events)).not.toContain(SECRET);
    expect(events.at(-1)).toMatchObject({ type: "run.finished", status: "finished" });
  });
});
