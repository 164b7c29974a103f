import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EventLog, fromZodError, QuorumError, UserInputError } from "../../src/core/index.js";

function sample() {
  const log = new EventLog();
  const task = log.add("r1", { step: 0, author: "user", kind: "task", content: "t", audience: ["*"] });
  const secret = log.add("r1", {
    step: 1,
    author: "alice",
    kind: "message",
    content: "s",
    audience: ["bob"],
    sensitivity: "private",
    derivedFrom: [task.id],
  });
  return { log, task, secret };
}

describe("EventLog", () => {
  it("delivers only to the audience and records the refusal", () => {
    const { log, secret } = sample();
    expect(log.deliver(secret.id, "bob", 2, "message")).toBe(true);
    expect(log.deliver(secret.id, "carol", 2, "message")).toBe(false);
    const denied = log.events({ type: "denied" });
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ agent: "carol", itemId: secret.id, via: "message" });
    expect(log.seenIds("r1", "carol")).not.toContain(secret.id);
    expect(log.seenIds("r1", "bob")).toContain(secret.id);
  });

  it("answers what an agent has seen up to a step", () => {
    const { log, task, secret } = sample();
    log.deliver(task.id, "bob", 1, "context");
    log.deliver(secret.id, "bob", 3, "message");
    expect(log.seenIds("r1", "bob", 2)).toEqual([task.id]);
    expect(log.seenIds("r1", "bob", 3)).toEqual([task.id, secret.id]);
    expect(log.seenIds("r2", "bob")).toEqual([]);
  });

  it("refuses provenance that points at unknown items and duplicate ids", () => {
    const log = new EventLog();
    expect(() =>
      log.add("r", { step: 0, author: "a", kind: "note", content: 1, derivedFrom: ["nope"] }),
    ).toThrow(/unknown item nope/);
    log.add("r", { id: "x", step: 0, author: "a", kind: "note", content: 1 });
    expect(() => log.add("r", { id: "x", step: 0, author: "a", kind: "note", content: 2 })).toThrow(
      /duplicate/,
    );
  });

  it("walks ancestors and survives a snapshot round trip", () => {
    const { log, task, secret } = sample();
    log.deliver(secret.id, "bob", 2, "message");
    const reply = log.add("r1", {
      step: 3,
      author: "bob",
      kind: "message",
      content: "r",
      derivedFrom: [secret.id],
    });
    expect(log.ancestors(reply.id).map((i) => i.id)).toEqual([secret.id, task.id]);
    const copy = EventLog.fromSnapshot(JSON.parse(JSON.stringify(log.snapshot())));
    expect(copy.seenIds("r1", "bob")).toEqual(log.seenIds("r1", "bob"));
    expect(copy.items()).toEqual(log.items());
    expect(copy.items({ author: "bob" }).map((i) => i.id)).toEqual([reply.id]);
  });
});

describe("errors", () => {
  it("print one line with file, field and hint", () => {
    const e = new UserInputError("must be a string", {
      file: "s.yaml",
      field: "agents.2.name",
      hint: "quote it",
    });
    expect(e.toLine()).toBe("error[user_input] s.yaml: agents.2.name: must be a string (hint: quote it)");
    expect(e.exitCode).toBe(2);
    expect(new QuorumError("model", "boom", { agent: "planner", step: 3 }).toLine()).toBe(
      "error[model] boom (agent planner, step 3)",
    );
  });

  it("name the first failing zod path", () => {
    const r = z
      .object({ agents: z.array(z.object({ name: z.string() })) })
      .safeParse({ agents: [{ name: 1 }] });
    if (r.success) throw new Error("expected failure");
    const e = fromZodError(r.error, { file: "f.yaml" });
    expect(e.field).toBe("agents.0.name");
    expect(e.file).toBe("f.yaml");
  });
});
