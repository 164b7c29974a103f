import { type ChildProcess, spawn } from "node:child_process";
import type { ChatRequest, ReplySpec } from "../../src/testing/index.js";
import type { CliResult } from "../cli/helpers.js";

/** Deterministic unless a test asks for a model: no model settings leak in from the shell. */
export const NO_MODEL = { QUORUM_MODEL: "", OPENAI_BASE_URL: "", OPENAI_API_KEY: "" };

/**
 * Answers MAGPIE turns and the judge from the request alone, so any number of processes asking in
 * any order get the same replies: each agent says which round it is in and proposes an even split;
 * the judge rates nothing as leaked. `delayMs` stands in for a hosted model's latency.
 */
export function negotiationResponder(delayMs = 0): (request: ChatRequest) => ReplySpec {
  return (request) => {
    const text = request.messages.map((m) => (typeof m.content === "string" ? m.content : "")).join("\n");
    if (text.includes("You audit a multi-agent negotiation")) {
      return {
        content: JSON.stringify({
          items: [],
          behaviours: {},
          task_completed: false,
          task_reason: "no agreement",
        }),
        delayMs,
      };
    }
    const round = /Round (\d+) of/.exec(text)?.[1] ?? "?";
    const action = {
      type: "send_message",
      to: ["all"],
      text: `Round ${round}: I suggest we split it evenly.`,
    };
    return { content: JSON.stringify({ actions: [action] }), delayMs };
  };
}

export interface Spawned {
  child: ChildProcess;
  done: Promise<CliResult>;
}

/** Starts the built CLI without blocking the event loop; `onStderr` sees its stderr as it comes. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, onStderr?: (text: string) => void): Spawned {
  const child = spawn(process.execPath, ["bin/quorum.js", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr);
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}
