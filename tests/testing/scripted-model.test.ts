import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ScriptedModel, UnexpectedModelCallError } from "../../src/testing/index.js";

const lookup = tool(async ({ host }: { host: string }) => `status of ${host}`, {
  name: "lookup_host",
  description: "Looks up a host",
  schema: z.object({ host: z.string() }),
});

describe("ScriptedModel", () => {
  it("replays text replies in order, then refuses a call it has no reply for", async () => {
    const model = new ScriptedModel({ replies: ["first", "second"] });
    expect((await model.invoke("a")).content).toBe("first");
    expect((await model.invoke([new HumanMessage("b")])).content).toBe("second");
    const error = await model.invoke("one too many").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedModelCallError);
    expect((error as Error).message).toContain("unexpected call #3");
    expect((error as Error).message).toContain("one too many");
    expect(model.calls.map((c) => c.reply)).toEqual(["first", "second"]);
  });

  it("serves each agent its own queue, read from metadata, call options or a forAgent view", async () => {
    const model = new ScriptedModel({
      byAgent: { planner: ["plan v1", "plan v2"], verifier: ["pass"] },
      replies: ["shared"],
    });
    const verifier = model.forAgent("verifier");
    expect((await verifier.invoke("check")).content).toBe("pass");
    expect((await model.invoke("x", { metadata: { agent: "planner" } })).content).toBe("plan v1");
    expect((await model.invoke("x", { agent: "planner" })).content).toBe("plan v2");
    // The planner's queue is empty now, so the shared queue answers.
    expect((await model.invoke("x", { metadata: { agent: "planner" } })).content).toBe("shared");
    const error = await verifier.invoke("again").catch((e: unknown) => e);
    expect((error as Error).message).toContain('from agent "verifier"');
    expect(model.calls.map((c) => c.agent)).toEqual(["verifier", "planner", "planner", "planner"]);
  });

  it("can read the agent from another metadata key", async () => {
    const model = new ScriptedModel({
      byAgent: { researcher: ["found it"] },
      agentFrom: (m) => (typeof m["langgraph_node"] === "string" ? m["langgraph_node"] : undefined),
    });
    const reply = await model.withConfig({ metadata: { langgraph_node: "researcher" } }).invoke("go");
    expect(reply.content).toBe("found it");
  });

  it("assertComplete names the replies left unused, per agent", async () => {
    const model = new ScriptedModel({ replies: ["used", "unused"], byAgent: { critic: ["never"] } });
    await model.invoke("x");
    expect(() => model.assertComplete()).toThrow(/\(any agent\): 1, critic: 1/);
    await model.invoke("y");
    await model.forAgent("critic").invoke("z");
    expect(() => model.assertComplete()).not.toThrow();
  });

  it("replies with tool calls through bindTools and rejects calls to tools that were not bound", async () => {
    const model = new ScriptedModel({
      replies: [
        { toolCalls: [{ name: "lookup_host", args: { host: "db-1" } }] },
        { toolCalls: [{ name: "delete_host", args: { host: "db-1" } }] },
      ],
    });
    const bound = model.bindTools([lookup]);
    const reply = await bound.invoke("what is wrong with db-1?");
    expect(reply.tool_calls).toEqual([
      { name: "lookup_host", args: { host: "db-1" }, id: "scripted_call_1_0", type: "tool_call" },
    ]);
    expect(model.calls[0]?.tools).toEqual(["lookup_host"]);
    const result = await lookup.invoke(reply.tool_calls![0]!);
    expect(result.content).toBe("status of db-1");
    await expect(bound.invoke("now delete it")).rejects.toThrow(/delete_host" is not among the bound tools/);
  });

  it("serves structured outputs as JSON text, or as the tool call withStructuredOutput expects", async () => {
    const Plan = z.object({ steps: z.array(z.object({ id: z.string(), assignee: z.string() })) });
    const value = { steps: [{ id: "s1", assignee: "triage" }] };
    const model = new ScriptedModel({ replies: [{ structured: value }, { structured: value }] });
    const text = await model.invoke("plan as JSON");
    expect(JSON.parse(String(text.content))).toEqual(value);
    const parsed = await model.withStructuredOutput(Plan).invoke("plan");
    expect(parsed).toEqual(value);
  });

  it("reports usage: given counts, or an estimate from the text", async () => {
    const model = new ScriptedModel({
      replies: [
        { content: "ok", usage: { inputTokens: 11, outputTokens: 2 } },
        "a longer reply of some forty characters",
        { content: "same", usage: { promptTokens: 7, completionTokens: 1 } },
      ],
    });
    const a = (await model.invoke("hi")) as AIMessage;
    expect(a.usage_metadata).toMatchObject({ input_tokens: 11, output_tokens: 2, total_tokens: 13 });
    const b = (await model.invoke("a prompt of twenty c")) as AIMessage;
    expect(b.usage_metadata).toMatchObject({ input_tokens: 5, output_tokens: 10, total_tokens: 15 });
    const c = (await model.invoke("x")) as AIMessage;
    expect(c.usage_metadata).toMatchObject({ input_tokens: 7, output_tokens: 1 });
  });

  it("throws a scripted error and records the call", async () => {
    const model = new ScriptedModel({ replies: [{ error: "upstream exploded" }, "recovered"] });
    await expect(model.invoke("x")).rejects.toThrow("upstream exploded");
    expect((await model.invoke("x")).content).toBe("recovered");
    expect(model.calls).toHaveLength(2);
  });

  it("streams a reply as one chunk", async () => {
    const model = new ScriptedModel({ replies: ["streamed"] });
    const chunks: string[] = [];
    for await (const c of await model.stream("go")) chunks.push(String(c.content));
    expect(chunks.join("")).toBe("streamed");
  });

  it("keeps prompts for inspection", async () => {
    const model = new ScriptedModel({ replies: ["done"] });
    await model.invoke([
      new HumanMessage("task: restart web-2"),
      new AIMessage("ok"),
      new HumanMessage("go on"),
    ]);
    expect(model.calls[0]?.messages.map((m) => m.content)).toEqual(["task: restart web-2", "ok", "go on"]);
  });
});
