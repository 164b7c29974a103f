// The README's MCP example, run as a user runs it: tools from a real MCP server (started by the
// test, over stdio and over streamable HTTP) join a team and go through the plan guard first.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ordersOverStdio, runOnOrders } from "../examples/mcp.js";
import { ordersServer } from "../examples/mcp-orders-server.mjs";
import { loadMcpTools, UserInputError } from "../src/index.js";

const lookupStep = {
  id: "look",
  assignee: "desk",
  description: "look the order up",
  toolCalls: [{ tool: "lookup_order", args: { id: "A-100" } }],
  dependsOn: [],
};
const deleteStep = {
  ...lookupStep,
  id: "drop",
  toolCalls: [{ tool: "delete_order", args: { id: "A-100" } }],
};

let http: Server;
let url: string;
beforeAll(async () => {
  // Stateless streamable HTTP: one transport and one server per request.
  http = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
    const server = ordersServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
});
afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

describe("MCP tools in a team", () => {
  it("runs a declared read-only MCP tool over stdio and records its result as untrusted", async () => {
    const r = await runOnOrders("Where is order A-100?", lookupStep);
    expect(r.status).toBe("finished");
    expect(r.finalAnswer).toBe("desk lamp is shipped");
    const result = r.items.find((i) => i.kind === "tool_result" && i.author === "tool:lookup_order");
    expect(result?.content).toEqual({ item: "desk lamp", status: "shipped" });
    expect(result?.labels).toEqual(expect.arrayContaining(["untrusted", "mcp"]));
  });

  it("holds a plan using an undeclared MCP tool before it runs", async () => {
    const r = await runOnOrders("Where is order A-100?", deleteStep);
    expect(r.status).toBe("blocked");
    expect(r.items.some((i) => i.kind === "tool_call")).toBe(false);
    expect(r.reason).toMatch(/delete_order/);
  });

  it("loads the same tools over streamable HTTP", async () => {
    const r = await runOnOrders("Where is order A-100?", lookupStep, { orders: { url } });
    expect(r.status).toBe("finished");
    expect(r.finalAnswer).toBe("desk lamp is shipped");
  });

  it("says which tools no manifest declared, and checks arguments with the server's schema", async () => {
    const mcp = await loadMcpTools({
      servers: ordersOverStdio,
      manifest: { "orders/lookup_order": { effects: ["reads"] } },
    });
    try {
      expect(mcp.undeclared).toEqual(["orders/delete_order"]);
      const lookup = mcp.tools.find((t) => t.name === "lookup_order");
      expect(lookup?.schema.safeParse({ id: "A-1" }).success).toBe(true);
      expect(lookup?.schema.safeParse({ id: 7 }).success).toBe(false);
      const del = mcp.tools.find((t) => t.name === "delete_order");
      expect(del?.effects).toEqual(["writes", "sends_outside"]);
    } finally {
      await mcp.close();
    }
  });

  it("refuses a server it cannot reach with a clear error", async () => {
    const failing = loadMcpTools({ servers: { gone: { url: "http://127.0.0.1:9/mcp" } } });
    await expect(failing).rejects.toBeInstanceOf(UserInputError);
    await expect(failing).rejects.toThrow(/cannot connect to an MCP server/);
  });
});
