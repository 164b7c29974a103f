// Testing agent code without a model, two ways (run with `npx tsx examples/test-kit.ts`):
//  1. ScriptedModel: an in-process LangChain chat model that replays replies per agent.
//  2. The OpenAI-compatible test server: the real HTTP client path, with injected faults.
// In your own project, import from "quorum/testing" and "quorum" instead of ../src.

import { HumanMessage } from "@langchain/core/messages";
import { z } from "zod";
import { createChatModel, invokeForAgent, invokeStructured, UsageMeter } from "../src/index.js";
import { ScriptedModel, startTestServer } from "../src/testing/index.js";

const Verdict = z.object({ pass: z.boolean(), reason: z.string() });

async function scripted(): Promise<void> {
  const model = new ScriptedModel({
    byAgent: {
      triage: ["db-1 is out of disk space"],
      // The first verdict is malformed on purpose: invokeStructured repairs it with one retry.
      verifier: ['{"pass": "yes"}', { structured: { pass: true, reason: "disk usage back under 80%" } }],
    },
  });
  const meter = new UsageMeter();
  const finding = await invokeForAgent(model, [new HumanMessage("What is wrong?")], {
    agent: "triage",
    step: 1,
    recorder: meter,
  });
  const verdict = await invokeStructured(model, [new HumanMessage(`Check: ${finding.text}`)], Verdict, {
    agent: "verifier",
    step: 2,
    recorder: meter,
  });
  model.assertComplete(); // fails the test if a scripted reply was never used
  console.log("scripted:", finding.text, "->", verdict.value, `(${verdict.attempts} attempts)`);
  console.log("usage:", meter.totals);
}

async function overHttp(): Promise<void> {
  const server = await startTestServer({
    replies: [{ fault: "429", retryAfterS: 0 }, { fault: "drop" }, { content: "restart db-1 after cleanup" }],
  });
  try {
    const model = createChatModel({
      model: "test-model",
      baseURL: server.url,
      retry: { maxRetries: 3, initialDelayMs: 10 },
    });
    const reply = await invokeForAgent(model, [new HumanMessage("Plan the fix")], {
      agent: "planner",
      step: 3,
    });
    console.log("http:", reply.text);
    console.log(
      "server saw:",
      server.requests.map((r) => r.outcome),
    );
    server.assertComplete();
  } finally {
    await server.close();
  }
}

await scripted();
await overHttp();
