// A small MCP server for the MCP example and its test: an order desk with a lookup and a delete. Run it as a stdio
// server (`node mcp-orders-server.mjs`), or import `ordersServer` and serve it over HTTP.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const orders = {
  "A-100": { item: "desk lamp", status: "shipped" },
  "A-101": { item: "chair", status: "packing" },
};

export function ordersServer() {
  const server = new McpServer({ name: "orders", version: "1.0.0" });
  server.registerTool(
    "lookup_order",
    { description: "Look an order up by its id", inputSchema: { id: z.string() } },
    async ({ id }) => ({
      content: [{ type: "text", text: JSON.stringify(orders[id] ?? { error: "no such order" }) }],
    }),
  );
  server.registerTool(
    "delete_order",
    { description: "Delete an order", inputSchema: { id: z.string() } },
    async ({ id }) => ({ content: [{ type: "text", text: `deleted ${id}` }] }),
  );
  return server;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  await ordersServer().connect(new StdioServerTransport());
}
