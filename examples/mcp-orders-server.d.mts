import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";

/** The order desk's MCP server, not yet connected to a transport. */
export function ordersServer(): McpServer;
