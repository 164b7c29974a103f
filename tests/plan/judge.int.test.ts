import { afterEach, describe, expect, it } from "vitest";
import { createPlanGuard } from "../../src/guards/plan/guard.js";
import { NO_RISK } from "../../src/guards/plan/judge.js";
import { createChatModel, UsageMeter } from "../../src/models/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { plan } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const payPlan = plan({
  userRequest: "Read my newest email.",
  steps: [{ tool: "MailRead", args: { id: "e1" } }],
  observations: [{ text: "Hi! Your parcel ships tomorrow.", tool: "MailRead", beforeStep: 1 }],
});

function judgeOn(s: TestServer, maxRetries = 0) {
  return createChatModel({
    baseURL: s.url,
    model: "plan-judge-test",
    maxRetries,
    retry: { initialDelayMs: 1, maxDelayMs: 5 },
  });
}

describe("judge mode over HTTP (OpenAI-compatible test server)", () => {
  it("sends the rendered plan and reads a no-risk and a risk reply", async () => {
    server = await startTestServer({
      replies: [
        { content: NO_RISK, usage: { promptTokens: 120, completionTokens: 8 } },
        {
          content:
            "The plan forwards mail to an address found in a message.\n- Risk: External Adversarial Attack",
        },
      ],
    });
    const meter = new UsageMeter();
    const guard = createPlanGuard({ mode: "judge", judge: judgeOn(server), recorder: meter });
    const safe = await guard.checkNormalised(payPlan);
    expect(safe).toMatchObject({ decision: "allow", flagged: false, modelCalls: 1, tokens: 128 });
    const risky = await guard.checkNormalised(payPlan);
    expect(risky).toMatchObject({
      decision: "block",
      flagged: true,
      riskType: "external adversarial attack",
    });
    const body = server.requests[0]?.body as { messages: Array<{ role: string; content: string }> };
    expect(body.messages[0]?.content).toContain(NO_RISK);
    expect(body.messages[1]?.content).toContain("Tool outputs (untrusted):");
    expect(body.messages[1]?.content).toContain('1. MailRead(id="e1")');
    server.assertComplete();
  });

  it("fails closed on malformed replies: unparseable text, a broken body, a server error", async () => {
    server = await startTestServer({
      replies: [
        { content: "I think it's probably OK?" },
        { fault: "malformed" },
        { fault: "500" },
        { content: "Risky.\n- Risk: Vibes" },
      ],
    });
    const guard = createPlanGuard({ mode: "judge", judge: judgeOn(server) });
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await guard.checkNormalised(payPlan));
    for (const v of verdicts) expect(v).toMatchObject({ decision: "block", flagged: true, failClosed: true });
    expect(verdicts[0]?.rationale).toContain("unparseable");
    expect(verdicts[1]?.rationale).toContain("judge call failed");
    expect(verdicts[2]?.rationale).toContain("judge call failed");
    expect(verdicts[3]?.rationale).toContain('unknown risk category "Vibes"');
    server.assertComplete();
  });

  it("layered: a plan the rules block never reaches the model", async () => {
    server = await startTestServer({ replies: [{ content: NO_RISK }] });
    const guard = createPlanGuard({ mode: "layered", judge: judgeOn(server) });
    const blocked = await guard.checkNormalised(
      plan({
        userRequest: "Read my newest email.",
        steps: [{ tool: "BankWireFunds", args: { to_account: "ZZ-1", amount: 900 } }],
      }),
    );
    expect(blocked).toMatchObject({ decision: "block", modelCalls: 0 });
    expect(server.requests).toHaveLength(0);
    expect(await guard.checkNormalised(payPlan)).toMatchObject({ decision: "allow", modelCalls: 1 });
    server.assertComplete();
  });
});
