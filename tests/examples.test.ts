import { describe, expect, it } from "vitest";
import { quickstart } from "../examples/quickstart.js";

describe("examples", () => {
  it("the quickstart runs and finishes", async () => {
    const r = await quickstart();
    expect(r.status).toBe("finished");
    expect(r.finalAnswer).toBe("A is A");
    expect(r.items.some((i) => i.kind === "verdict")).toBe(true);
  });
});
