import type { DynamicStructuredTool } from "@langchain/core/tools";
import { type Connection, MultiServerMCPClient } from "@langchain/mcp-adapters";
import { z } from "zod";
import {
  defineTool,
  type Sensitivity,
  type ToolEffect,
  type ToolSpec,
  UserInputError,
} from "../core/index.js";

/** What an MCP tool does, as the team's manifest declares it: the plan guard reasons over this. */
export interface McpToolDeclaration {
  effects?: ToolEffect[];
  sinks?: string[];
  resultSensitivity?: Sensitivity;
  resultLabels?: string[];
  idempotent?: boolean;
  needsApproval?: boolean;
}

export interface McpToolsOptions {
  /** MCP servers by name: `{ command, args }` for stdio, `{ url }` for streamable HTTP. */
  servers: Record<string, Connection>;
  /**
   * Declarations by tool name (`lookup_order`) or `server/tool`. A tool the manifest does not
   * declare counts as risky: it writes and sends outside (to the sink `mcp:<server>`), so the plan
   * guard asks before a plan uses it without the request asking for it.
   */
  manifest?: Record<string, McpToolDeclaration>;
}

export interface McpTools {
  /** The servers' tools as Quorum tools, named as the servers name them. */
  tools: ToolSpec<Record<string, unknown>>[];
  /** The tools no manifest entry declared (treated as risky). */
  undeclared: string[];
  /** Closes every connection (stdio servers are stopped). */
  close(): Promise<void>;
}

/** What an undeclared MCP tool is assumed to do. */
function riskyByDefault(server: string): McpToolDeclaration {
  return { effects: ["writes", "sends_outside"], sinks: [`mcp:${server}`] };
}

/**
 * Connects to MCP servers through `@langchain/mcp-adapters` and turns their tools into Quorum
 * tools that join a team's manifest: every call goes through the runtime (tool-call guards,
 * approvals, the journal) and plans using them go through the plan guard first. Results are
 * labelled `untrusted` (content from outside the app).
 */
export async function loadMcpTools(options: McpToolsOptions): Promise<McpTools> {
  const client = new MultiServerMCPClient({
    mcpServers: options.servers,
    throwOnLoadError: true,
    onConnectionError: "throw",
    useStandardContentBlocks: false,
  });
  let byServer: Record<string, DynamicStructuredTool[]>;
  try {
    byServer = await client.initializeConnections();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new UserInputError(
      `cannot connect to an MCP server: ${error instanceof Error ? error.message : String(error)}`,
      {
        field: "servers",
        hint: "check the server's command or URL, and that it speaks MCP",
        cause: error,
      },
    );
  }
  const tools: ToolSpec<Record<string, unknown>>[] = [];
  const undeclared: string[] = [];
  for (const [server, list] of Object.entries(byServer)) {
    for (const tool of list) {
      const declared = options.manifest?.[`${server}/${tool.name}`] ?? options.manifest?.[tool.name];
      if (!declared) undeclared.push(`${server}/${tool.name}`);
      tools.push(fromMcpTool(tool, declared ?? riskyByDefault(server)));
    }
  }
  return { tools, undeclared, close: () => client.close() };
}

function fromMcpTool(
  tool: DynamicStructuredTool,
  declared: McpToolDeclaration,
): ToolSpec<Record<string, unknown>> {
  return defineTool<Record<string, unknown>>({
    name: tool.name,
    description: tool.description,
    schema: argsSchema(tool.schema),
    effects: declared.effects ?? [],
    sinks: declared.sinks ?? [],
    resultSensitivity: declared.resultSensitivity ?? "internal",
    resultLabels: [...new Set(["untrusted", "mcp", ...(declared.resultLabels ?? [])])],
    ...(declared.idempotent !== undefined ? { idempotent: declared.idempotent } : {}),
    ...(declared.needsApproval !== undefined ? { needsApproval: declared.needsApproval } : {}),
    run: async (args) => readResult(await tool.invoke(args)),
  });
}

/** The server's JSON Schema for the arguments as a zod schema (any object when it cannot be read). */
function argsSchema(schema: unknown): z.ZodType<Record<string, unknown>> {
  if (schema instanceof z.ZodType) return schema as z.ZodType<Record<string, unknown>>;
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]) as z.ZodType<
      Record<string, unknown>
    >;
  } catch {
    return z.record(z.string(), z.unknown());
  }
}

/** A text result that holds JSON is kept as the value it encodes; other results as they come. */
function readResult(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
