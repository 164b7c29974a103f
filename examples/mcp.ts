// MCP tools in a team, no model: tools from an MCP server (here the small order desk next to this
// file, started over stdio) join the specialist's tools, and the plan guard checks every plan that
// uses them before anything runs. Runnable with `npx tsx examples/mcp.ts`.
// In your project, import from "quorum" instead of "../src/index.js".
import { fileURLToPath } from "node:url";
import {
  createPlanGuard,
  createTeam,
  loadMcpTools,
  type McpToolsOptions,
  type PlanStep,
  RuleVerifier,
  ScriptedPlanner,
  ScriptedSpecialist,
  TemplateSupervisor,
} from "../src/index.js";

/** The order desk as a stdio MCP server: `node examples/mcp-orders-server.mjs`. */
export const ordersOverStdio: McpToolsOptions["servers"] = {
  orders: {
    command: process.execPath,
    args: [fileURLToPath(new URL("./mcp-orders-server.mjs", import.meta.url))],
  },
};

/**
 * Runs one plan step on the order desk's tools. `lookup_order` is declared read-only in the
 * manifest; `delete_order` is not declared, so it counts as risky and the plan guard holds it.
 */
export async function runOnOrders(task: string, step: PlanStep, servers = ordersOverStdio) {
  const mcp = await loadMcpTools({ servers, manifest: { lookup_order: { effects: ["reads"] } } });
  try {
    const team = createTeam({
      planner: { name: "planner", impl: new ScriptedPlanner([{ steps: [step] }]) },
      specialists: [
        {
          name: "desk",
          impl: new ScriptedSpecialist({ [step.id]: ["{{0.item}} is {{0.status}}"] }),
          tools: mcp.tools,
        },
      ],
      verifier: { name: "verifier", impl: new RuleVerifier() },
      supervisor: { name: "supervisor", impl: new TemplateSupervisor({ template: `{{${step.id}}}` }) },
      guards: { plan: [createPlanGuard({ tools: mcp.tools })] },
    });
    return await team.run(task);
  } finally {
    await mcp.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lookup = await runOnOrders("Where is order A-100?", {
    id: "look",
    assignee: "desk",
    description: "look the order up",
    toolCalls: [{ tool: "lookup_order", args: { id: "A-100" } }],
    dependsOn: [],
  });
  console.log(lookup.status, lookup.finalAnswer);
  const removal = await runOnOrders("Where is order A-100?", {
    id: "drop",
    assignee: "desk",
    description: "delete the order",
    toolCalls: [{ tool: "delete_order", args: { id: "A-100" } }],
    dependsOn: [],
  });
  console.log(removal.status, removal.interrupt?.kind ?? removal.reason);
}
