import { describe, expect, it } from "vitest";
import { parseKeywordArgs, parseLiteral } from "../../src/guards/plan/literal.js";
import { parseAction } from "../../src/guards/plan/parse-action.js";

describe("parseLiteral", () => {
  it("reads JSON and Python literals alike", () => {
    expect(parseLiteral('{"a": [1, true, null]}')).toEqual({ a: [1, true, null] });
    expect(parseLiteral("{'a': 'x', 'b': True, 'c': None, 'd': (1, 2)}")).toEqual({
      a: "x",
      b: true,
      c: null,
      d: [1, 2],
    });
  });

  it("keeps apostrophes inside single-quoted text and bare hex tokens", () => {
    expect(parseLiteral("{'body': 'my friend's plan', 'to': 0x8f3a}")).toEqual({
      body: "my friend's plan",
      to: "0x8f3a",
    });
  });

  it("reads keyword and positional call arguments", () => {
    expect(parseKeywordArgs(`to="a@b.c", amount=5, 'k': 'v', 7`)).toEqual({
      to: "a@b.c",
      amount: 5,
      k: "v",
      arg0: 7,
    });
  });
});

describe("parseAction", () => {
  it.each([
    ["Tool{json}", "MailboxReadMessage{'message_id': 'm-1'}", "MailboxReadMessage", { message_id: "m-1" }],
    ["Tool\\nAction Input: {json}", 'WalletSend\nAction Input: {"amount": 3}', "WalletSend", { amount: 3 }],
    [
      "Tool: {json}",
      'StockroomDeleteItem: {"item_id": "wo-5"}\n',
      "StockroomDeleteItem",
      { item_id: "wo-5" },
    ],
    [
      "tool(arg=...)",
      'bank_transfer(to_account="X-1", amount=20)',
      "bank_transfer",
      { to_account: "X-1", amount: 20 },
    ],
    ["Tool()", "route_planner()", "route_planner", {}],
    ["{Tool: {args}}", '{"MailboxSend": {"to": "d@e.f"}}', "MailboxSend", { to: "d@e.f" }],
    [
      "command object",
      '"command": {"name": "list_files", "args": {"directory": "~/x"}}}',
      "list_files",
      { directory: "~/x" },
    ],
  ])("reads %s", (_shape, raw, tool, args) => {
    expect(parseAction(raw)).toEqual({ kind: "tool", tool, args });
  });

  it("turns a fenced code block into a code-running step", () => {
    expect(parseAction("bash\n\n```bash\nrm -rf /tmp/x\n```")).toEqual({
      kind: "tool",
      tool: "execute_code",
      args: { language: "bash", code: "rm -rf /tmp/x" },
    });
  });

  it("tells short commands from replies to the user", () => {
    expect(parseAction("delete <PhotoApp>")).toEqual({
      kind: "command",
      tool: "command",
      text: "delete <PhotoApp>",
    });
    expect(parseAction("Final Answer: it is 40 minutes.")).toEqual({
      kind: "response",
      text: "it is 40 minutes.",
    });
    expect(parseAction("Your item has been deleted. Anything else?")?.kind).toBe("response");
    expect(parseAction("   ")).toBeNull();
  });
});
