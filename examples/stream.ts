// Watching a run as it happens: the README's streaming example, runnable with
// `npx tsx examples/stream.ts`. In your project, import from "quorum" instead of "../src/index.js".
import type { TeamEvent } from "../src/index.js";
import { quickstartTeam } from "./quickstart.js";

/** One line for the events a person watching the run cares about; nothing for the rest. */
export function describeEvent(event: TeamEvent): string | undefined {
  switch (event.type) {
    case "plan.proposed":
      return `${event.agent} proposes ${event.steps.length} step(s)`;
    case "plan.verdict":
      return `plan guard ${event.guard}: ${event.decision}`;
    case "tool.called":
      return `${event.agent} calls ${event.tool}`;
    case "message.blocked":
      return `a message from ${event.from} was blocked: ${event.reasons.join("; ")}`;
    case "verifier.verdict":
      return `verifier: ${event.pass ? "pass" : "fail"}`;
    case "run.finished":
      return `${event.status}: ${event.finalAnswer}`;
    default:
      return undefined;
  }
}

export async function streamExample(print: (line: string) => void = console.log) {
  const run = quickstartTeam().stream("What is a?");
  for await (const event of run) {
    const line = describeEvent(event);
    if (line) print(line);
  }
  return run.result;
}

if (import.meta.url === `file://${process.argv[1]}`) await streamExample();
