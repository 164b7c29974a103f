// Model mode end to end: the built CLI, both agents and guards talking to the local test server.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type ChatRequest, startTestServer, type TestServer } from "../../src/testing/index.js";

const BIN = resolve("bin/quorum.js");
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const text = (req: ChatRequest, i: number) => String(req.messages[i]?.content ?? "");

/** A stand-in model that plays every role from the prompt it gets; it never sees table rows it was not sent. */
function respond(req: ChatRequest) {
  const system = text(req, 0);
  const user = text(req, 1);
  if (system.includes("Reply with the question only")) {
    return { content: /Ask \w+ for: (.*)$/m.exec(user)?.[1] ?? "?" };
  }
  if (system.includes("Reply with JSON only")) {
    const own = [...system.matchAll(/^- (\w+)\(/gm)].map((m) => m[1]);
    const table = own.find((t) => user.includes(`'${t}'`));
    return { content: table ? JSON.stringify({ read: { table } }) : '{"refuse": "not mine"}' };
  }
  if (system.includes("Answer the question using only the rows given"))
    return { content: "Here is what I have." };
  if (system.includes("State in one or two sentences")) return { content: "That is my inference." };
  if (system.includes("Adversarial Intent: <Yes or No>")) {
    const total = (/no single agent may hold all of these\): (.*)$/m.exec(user)?.[1] ?? "").split(
      ", ",
    ).length;
    const count = (label: string) => {
      const v = new RegExp(`${label}: (.*)$`, "m").exec(user)?.[1] ?? "none";
      return v === "none" ? 0 : v.split(", ").length;
    };
    const after = count("already holds") + count("would add");
    const intent = count("would add") > 0 && after >= total ? "Yes" : "No";
    return {
      content: `Likely Inference: ${after} of ${total} tables\nAdversarial Intent: ${intent}\nSuspected Goal: compose the sensitive tables`,
    };
  }
  return { content: "unexpected prompt" };
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

describe("quorum eval compositional --model", () => {
  it("runs agents and the ToM guard through the model; counts calls and tokens", async () => {
    server = await startTestServer({ defaultReply: respond });
    const r = await run(
      [
        "eval",
        "compositional",
        "--data",
        "tests/privacy/fixtures/compositional",
        "--defense",
        "none,tom",
        "--model",
        "stand-in",
        "--json",
      ],
      { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "test", QUORUM_MODEL: "" },
    );
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code, r.stderr).toBe(0);
    const { results } = JSON.parse(r.stdout) as { results: Array<Record<string, number | string>> };
    expect(results.map((x) => [x.defense, x.sensitiveBlocked, x.benignSucceeded])).toEqual([
      ["none", 0, 100],
      ["tom", 100, 100],
    ]);
    for (const row of results) {
      expect(row.modelCalls).toBeGreaterThan(0);
      expect(row.tokens).toBeGreaterThan(0);
    }
    // tom adds guard calls on top of the agents' own.
    expect(Number(results[1]?.modelCalls)).toBeGreaterThan(Number(results[0]?.modelCalls));
    expect(server.requests.every((q) => (q.body as { model?: string }).model === "stand-in")).toBe(true);
  });
});
