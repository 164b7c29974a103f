// Cancelling a run and carrying on later: runnable with `npx tsx examples/cancel.ts`.
// In your project, import from "quorum" instead of "../src/index.js".
import { quickstartTeam } from "./quickstart.js";

/** Aborts the run as soon as its first tool is called, then resumes it to the end. */
export async function cancelAndResume() {
  const team = quickstartTeam();
  const controller = new AbortController();
  const stopped = await team.run("What is a?", {
    threadId: "cancel-1",
    signal: controller.signal,
    onEvent: (event) => {
      if (event.type === "tool.called") controller.abort("the user pressed stop");
    },
  });
  // The checkpoint stays: resume carries on from the last finished step.
  const resumed = await team.resume("cancel-1");
  return { stopped, resumed };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { stopped, resumed } = await cancelAndResume();
  console.log(`${stopped.status} (${stopped.reason}), then ${resumed.status}: ${resumed.finalAnswer}`);
}
