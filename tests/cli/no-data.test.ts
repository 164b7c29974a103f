import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dataOrSample, sampleData } from "../../src/cli/no-data.js";
import { QuorumError } from "../../src/core/index.js";

describe("dataOrSample", () => {
  it("keeps a given --data path as it is", () => {
    expect(dataOrSample("my/records", "examples/data/who-and-when", "Who&When")).toBe("my/records");
  });

  it("falls back to the shipped sample at the package root", () => {
    const path = dataOrSample(undefined, "examples/data/who-and-when", "Who&When");
    expect(path).toBe(sampleData("examples/data/who-and-when"));
    expect(existsSync(path)).toBe(true);
  });

  it("refuses a missing sample on --data, naming where the full dataset comes from", () => {
    let caught: unknown;
    try {
      dataOrSample(undefined, "examples/data/absent", "the full set (repo owner/name)");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(QuorumError);
    const e = caught as QuorumError;
    expect(e.exitCode).toBe(2);
    expect(e.code).toBe("user_input");
    expect(e.field).toBe("--data");
    expect(e.message).toContain("nothing evaluated");
    expect(e.hint).toContain("repo owner/name");
  });
});
