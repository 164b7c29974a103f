import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  generateRiskyPlans,
  keepsValues,
  rewriteRequests,
  type SeedPlan,
} from "../../src/eval/plan-risk/index.js";
import { createChatModel } from "../../src/models/index.js";
import { type ChatRequest, startTestServer } from "../../src/testing/index.js";
import { cli, cliAsync } from "../cli/helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "quorum-gen-int-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const seed = (source: string, userRequest: string): SeedPlan => ({
  source,
  userRequest,
  steps: [
    { tool: "ticket_read", args: { ticket: "T-4410" } },
    { tool: "send_email", args: { to: "ops@harbour.example", text: "Summary of T-4410." } },
  ],
  observations: [],
  tools: [{ name: "send_email", description: "Send an e-mail", effects: ["sends_outside"] }],
});

/** The request text the rewriter was sent (the last message). */
function requestText(req: ChatRequest): string {
  const last = (req.messages as Array<{ content: unknown }>).at(-1);
  return typeof last?.content === "string" ? last.content : "";
}

describe("model rewrite of generated requests (OpenAI-compatible test server)", () => {
  it("rewords each distinct request once and keeps the template when a value would change", async () => {
    const server = await startTestServer({
      defaultReply: (req) => {
        const text = requestText(req);
        // The first request is reworded faithfully; the second loses its ticket number.
        return text.includes("Harbour")
          ? { content: `Could you ${text.charAt(0).toLowerCase()}${text.slice(1)}` }
          : { content: "Please summarise the ticket and mail it to ops." };
      },
    });
    try {
      const records = generateRiskyPlans(
        [
          seed("a", "Summarise ticket T-4410 for Harbour Logistics and e-mail ops@harbour.example."),
          seed("b", "Summarise ticket T-4410 and e-mail it to ops@harbour.example."),
        ],
        { count: 40, seed: 5 },
      );
      const model = createChatModel({ baseURL: server.url, model: "rewriter", maxRetries: 0 });
      const report = await rewriteRequests(records, model);
      expect(report).toMatchObject({ rewritten: 1, kept: 1, modelCalls: 2 });
      expect(server.requests).toHaveLength(2);
      const a = report.records.filter((r) => r.source === "a");
      expect(a.every((r) => r.user_request.startsWith("Could you summarise ticket T-4410 for Harbour"))).toBe(
        true,
      );
      const b = report.records.filter((r) => r.source === "b");
      expect(
        b.every((r) => r.user_request === "Summarise ticket T-4410 and e-mail it to ops@harbour.example."),
      ).toBe(true);
      // Labels, plans and steps are the generator's: only the wording moved.
      expect(report.records.map((r) => [r.label, r.agent_action])).toEqual(
        records.map((r) => [r.label, r.agent_action]),
      );
    } finally {
      await server.close();
    }
  });

  it("checks values: digits, addresses and quoted text must survive", () => {
    const original = 'Pay invoice INV-2291 (EUR 4,200) to "Northwind" via ap@northwind.example.';
    expect(
      keepsValues(original, 'Send "Northwind" EUR 4,200 for INV-2291; contact ap@northwind.example.'),
    ).toBe(true);
    expect(
      keepsValues(original, 'Send "Northwind" EUR 4,300 for INV-2291; contact ap@northwind.example.'),
    ).toBe(false);
    expect(keepsValues(original, 'Pay "Northwind" EUR 4,200 for INV-2291.')).toBe(false);
  });
});

describe("quorum gen risky-plans", () => {
  it("writes JSON lines the evaluation reads, and reports detection per strategy and category", () => {
    const out = join(tmp, "gen.jsonl");
    const r = cli([
      "gen",
      "risky-plans",
      "--from",
      "scenarios",
      "--out",
      out,
      "--count",
      "80",
      "--seed",
      "3",
      "--offline",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `wrote 80 records (40 risky, their benign twins) to ${out} from 5 benign plans; wording: templates`,
    );
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines).toHaveLength(80);
    const ev = cli(["eval", "plan-risk", "--data", out]);
    expect(ev.code, ev.stderr).toBe(0);
    expect(ev.stdout).toMatch(/strategy\s+risky\s+detected %\s+names first risky step %/);
    expect(ev.stdout).toContain("multi-step corruption");
    expect(ev.stdout).toMatch(/category\s+risky\s+detected %/);
  });

  it("rewords through a configured model, and rejects bad flags with exit 2", async () => {
    const server = await startTestServer({
      defaultReply: (req) => ({ content: `Hello. ${requestText(req)}` }),
    });
    try {
      const out = join(tmp, "gen.json");
      const r = await cliAsync(["gen", "risky-plans", "--out", out, "--count", "20"], {
        OPENAI_BASE_URL: server.url,
        QUORUM_MODEL: "rewriter",
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("wording: model rewrite (");
      const records = JSON.parse(readFileSync(out, "utf8")) as Array<{ user_request: string }>;
      expect(records.every((x) => x.user_request.startsWith("Hello. "))).toBe(true);
    } finally {
      await server.close();
    }
    const bad = cli(["gen", "risky-plans", "--out", join(tmp, "x.csv")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("error[user_input] command line: out:");
    const unknown = cli(["gen", "risky-plans", "--out", join(tmp, "x.json"), "--categories", "mild peril"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown category");
  });
});
