import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/core/index.js";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, stream };
}

describe("logger", () => {
  const CANARY = "CANARY-7f3a-salary-91000";

  it("redacts contents, arguments and values by default", () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: "debug", destination: stream });
    log.info(
      { item: { id: "i1", content: CANARY }, args: { iban: CANARY }, value: CANARY, text: CANARY },
      "event",
    );
    const out = lines.join("");
    expect(out).toContain("i1");
    expect(out).not.toContain(CANARY);
    expect(out).toContain("[redacted]");
  });

  it("keeps them only when the user opts in", () => {
    const { lines, stream } = capture();
    createLogger({ level: "debug", destination: stream, includePrivate: true }).info(
      { value: CANARY },
      "event",
    );
    expect(lines.join("")).toContain(CANARY);
  });
});
