import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { seededRandom } from "./rng.js";

export interface ToolCallSpec {
  name: string;
  args: Record<string, unknown>;
  /** Defaults to a deterministic `call_<request>_<index>`. */
  id?: string;
}

/** One scripted completion. */
export interface ReplySpec {
  content?: string | null;
  toolCalls?: ToolCallSpec[];
  /**
   * Overrides the token counts the server estimates from the text (about four characters a token).
   * Either naming works: OpenAI's (prompt/completion) or LangChain's (input/output).
   */
  usage?: { promptTokens?: number; completionTokens?: number; inputTokens?: number; outputTokens?: number };
  finishReason?: "stop" | "length" | "tool_calls" | "content_filter";
  /** Wait this long before answering (to exercise client timeouts). */
  delayMs?: number;
}

export type FaultKind = "429" | "500" | "502" | "503" | "malformed" | "drop";

/**
 * A failure instead of a reply. `malformed` answers 200 with a truncated body (an unparseable
 * SSE event when the request streams); `drop` destroys the socket without answering.
 */
export interface FaultSpec {
  fault: FaultKind;
  /** Sent as the Retry-After header (seconds) with 429 and 503. */
  retryAfterS?: number;
  delayMs?: number;
}

/** On its own in the queue: hold the request this long, then serve the next entry to it. */
export interface DelaySpec {
  delayMs: number;
}

export type ScriptEntry = ReplySpec | FaultSpec | DelaySpec;

export const ChatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown().optional() })).min(1),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(z.unknown()).optional(),
});
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

/** Computes the reply from the request: answers stay right whatever order requests arrive in. */
export type Responder = (request: ChatRequest, index: number) => ReplySpec;

export interface TestServerOptions {
  /** Entries served in order, one per chat request. */
  replies?: ScriptEntry[];
  /** Served when the queue is empty; without it an unexpected request gets a 400. */
  defaultReply?: ReplySpec | Responder;
  /** Probability (0..1) that a chat request gets a random fault before the script is consulted. */
  faultRate?: number;
  seed?: number;
  faultKinds?: FaultKind[];
  /** Retry-After (seconds) sent with random 429s and 503s. */
  retryAfterS?: number;
  /** Listed by GET /v1/models. */
  models?: string[];
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Characters per streamed content delta. */
  streamChunkChars?: number;
  host?: string;
}

export interface RecordedRequest {
  index: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when there was none or it did not parse. */
  body: unknown;
  rawBody: string;
  stream: boolean;
  /** `reply`, `default`, `fault:<kind>`, `unexpected`, `invalid`, `unauthorized`, `models`, `not_found`. */
  outcome: string;
  /** Whether the fault came from `faultRate` rather than the script. */
  injected: boolean;
}

export interface TestServerStats {
  requests: number;
  chatRequests: number;
  replies: number;
  faults: Record<FaultKind, number>;
  injectedFaults: number;
  unexpected: number;
}

export interface TestServer {
  /** Base URL ending in /v1, ready for `OPENAI_BASE_URL` or `new OpenAI({ baseURL })`. */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  readonly stats: TestServerStats;
  /** Scripted entries not served yet. */
  readonly pending: number;
  enqueue(...entries: ScriptEntry[]): void;
  /** Throws if scripted entries were never requested, or if a request found nothing to serve. */
  assertComplete(): void;
  close(): Promise<void>;
}

function isFault(e: ScriptEntry): e is FaultSpec {
  return "fault" in e;
}

function isDelayOnly(e: ScriptEntry): e is DelaySpec {
  return !isFault(e) && !("content" in e) && !("toolCalls" in e) && "delayMs" in e;
}

/** The client hung up (for example after its own timeout): writing would only raise errors. */
function gone(res: ServerResponse): boolean {
  return res.destroyed || res.socket === null || res.socket.destroyed;
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function promptText(req: ChatRequest): string {
  return req.messages
    .map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? "")))
    .join("\n");
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

const FAULT_KINDS: FaultKind[] = ["429", "500", "502", "503", "malformed", "drop"];

/** Starts an OpenAI-compatible chat completions server on 127.0.0.1 and an ephemeral port. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const queue: ScriptEntry[] = [...(options.replies ?? [])];
  const requests: RecordedRequest[] = [];
  const stats: TestServerStats = {
    requests: 0,
    chatRequests: 0,
    replies: 0,
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
    injectedFaults: 0,
    unexpected: 0,
  };
  const random = seededRandom(options.seed ?? 1);
  const faultRate = options.faultRate ?? 0;
  const faultKinds = options.faultKinds ?? ["429", "500", "malformed", "drop"];
  const chunkChars = Math.max(1, options.streamChunkChars ?? 8);
  const timers = new Set<NodeJS.Timeout>();
  let created = 1_700_000_000;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const sendJson = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    if (gone(res)) return;
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  const errorBody = (message: string, type: string, code: string | null = null) => ({
    error: { message, type, param: null, code },
  });

  const sendFault = (req: IncomingMessage, res: ServerResponse, f: FaultSpec, stream: boolean) => {
    stats.faults[f.fault] += 1;
    const retryAfter: Record<string, string> =
      f.retryAfterS !== undefined ? { "retry-after": String(f.retryAfterS) } : {};
    switch (f.fault) {
      case "429":
        return sendJson(
          res,
          429,
          errorBody("Rate limit reached (injected)", "rate_limit_exceeded"),
          retryAfter,
        );
      case "500":
      case "502":
      case "503":
        return sendJson(
          res,
          Number(f.fault),
          errorBody(`Server error ${f.fault} (injected)`, "server_error"),
          f.fault === "503" ? retryAfter : {},
        );
      case "malformed":
        if (gone(res)) return;
        if (stream) {
          res.writeHead(200, { "content-type": "text/event-stream" });
          res.end('data: {"id": "chatcmpl-broken", "choices": [\n\n');
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"index": 0, "mess');
        return;
      case "drop":
        req.socket.destroy();
        return;
    }
  };

  const sendReply = (res: ServerResponse, reply: ReplySpec, req: ChatRequest, index: number) => {
    const id = `chatcmpl-${index}`;
    created += 1;
    const toolCalls = (reply.toolCalls ?? []).map((t, i) => ({
      id: t.id ?? `call_${index}_${i}`,
      type: "function" as const,
      function: { name: t.name, arguments: JSON.stringify(t.args) },
    }));
    const content = reply.content ?? (toolCalls.length > 0 ? null : "");
    const finish = reply.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop");
    const completionText =
      (content ?? "") + toolCalls.map((t) => t.function.name + t.function.arguments).join("");
    const promptTokens =
      reply.usage?.promptTokens ?? reply.usage?.inputTokens ?? estimateTokens(promptText(req));
    const completionTokens =
      reply.usage?.completionTokens ?? reply.usage?.outputTokens ?? estimateTokens(completionText);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    const model = req.model;
    if (!req.stream) {
      const message: Record<string, unknown> = { role: "assistant", content, refusal: null };
      if (toolCalls.length > 0) message["tool_calls"] = toolCalls;
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
        usage,
      });
      return;
    }
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices, ...extra })}\n\n`;
    const delta = (d: Record<string, unknown>, finishReason: string | null = null) =>
      chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }]);
    const parts: string[] = [delta({ role: "assistant", content: "" })];
    const text = content ?? "";
    for (let i = 0; i < text.length; i += chunkChars)
      parts.push(delta({ content: text.slice(i, i + chunkChars) }));
    toolCalls.forEach((t, i) => {
      parts.push(
        delta({
          tool_calls: [
            { index: i, id: t.id, type: "function", function: { name: t.function.name, arguments: "" } },
          ],
        }),
      );
      const args = t.function.arguments;
      for (let j = 0; j < args.length; j += chunkChars) {
        parts.push(
          delta({ tool_calls: [{ index: i, function: { arguments: args.slice(j, j + chunkChars) } }] }),
        );
      }
    });
    parts.push(delta({}, finish));
    if (req.stream_options?.include_usage) parts.push(chunk([], { usage }));
    parts.push("data: [DONE]\n\n");
    for (const p of parts) res.write(p);
    res.end();
  };

  const handleChat = async (req: IncomingMessage, res: ServerResponse, rec: RecordedRequest) => {
    stats.chatRequests += 1;
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      rec.outcome = "unauthorized";
      return sendJson(
        res,
        401,
        errorBody("Incorrect API key provided", "invalid_request_error", "invalid_api_key"),
      );
    }
    const parsed = ChatRequestSchema.safeParse(rec.body);
    if (!parsed.success) {
      rec.outcome = "invalid";
      const issue = parsed.error.issues[0];
      return sendJson(
        res,
        400,
        errorBody(
          `invalid request: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim(),
          "invalid_request_error",
        ),
      );
    }
    const body = parsed.data;
    rec.stream = body.stream === true;
    if (faultRate > 0 && random() < faultRate) {
      const kind = faultKinds[Math.floor(random() * faultKinds.length)] ?? "500";
      rec.outcome = `fault:${kind}`;
      rec.injected = true;
      stats.injectedFaults += 1;
      const f: FaultSpec = { fault: kind };
      if (options.retryAfterS !== undefined) f.retryAfterS = options.retryAfterS;
      return sendFault(req, res, f, rec.stream);
    }
    let delay = 0;
    let entry = queue.shift();
    while (entry !== undefined && isDelayOnly(entry)) {
      delay += entry.delayMs;
      entry = queue.shift();
    }
    if (entry !== undefined && isFault(entry)) {
      rec.outcome = `fault:${entry.fault}`;
      await wait(delay + (entry.delayMs ?? 0));
      return sendFault(req, res, entry, rec.stream);
    }
    let reply: ReplySpec | undefined = entry;
    rec.outcome = "reply";
    if (reply === undefined && options.defaultReply !== undefined) {
      const d = options.defaultReply;
      reply = typeof d === "function" ? d(body, rec.index) : d;
      rec.outcome = "default";
    }
    if (reply === undefined) {
      rec.outcome = "unexpected";
      stats.unexpected += 1;
      // 400, not 5xx: a retry would not find a reply either.
      return sendJson(
        res,
        400,
        errorBody(
          `test server: no reply queued for request #${rec.index}`,
          "invalid_request_error",
          "no_reply_queued",
        ),
      );
    }
    await wait(delay + (reply.delayMs ?? 0));
    if (gone(res)) {
      rec.outcome = "abandoned";
      return;
    }
    stats.replies += 1;
    sendReply(res, reply, body, rec.index);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    res.on("error", () => {});
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const rec: RecordedRequest = {
      index: stats.requests,
      method: req.method ?? "GET",
      path,
      headers: flatHeaders(req),
      body,
      rawBody,
      stream: false,
      outcome: "",
      injected: false,
    };
    stats.requests += 1;
    requests.push(rec);
    if (req.method === "POST" && path === "/v1/chat/completions") return handleChat(req, res, rec);
    if (req.method === "GET" && path === "/v1/models") {
      rec.outcome = "models";
      const ids = options.models ?? ["test-model"];
      return sendJson(res, 200, {
        object: "list",
        data: ids.map((id) => ({ id, object: "model", created: 0, owned_by: "quorum-test" })),
      });
    }
    rec.outcome = "not_found";
    sendJson(res, 404, errorBody(`no route ${req.method} ${path}`, "invalid_request_error"));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        sendJson(res, 500, errorBody(`test server bug: ${String(error)}`, "server_error"));
      }
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}/v1`,
    port,
    requests,
    stats,
    get pending() {
      return queue.length;
    },
    enqueue(...entries: ScriptEntry[]) {
      queue.push(...entries);
    },
    assertComplete() {
      const problems: string[] = [];
      if (queue.length > 0) problems.push(`${queue.length} scripted entries were never requested`);
      if (stats.unexpected > 0) problems.push(`${stats.unexpected} requests found no reply queued`);
      if (problems.length > 0) throw new Error(`test server: ${problems.join("; ")}`);
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
