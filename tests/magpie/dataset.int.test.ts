import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RulePolicy } from "../../src/eval/magpie/agents.js";
import { loadMagpie } from "../../src/eval/magpie/loader.js";
import { runMagpie } from "../../src/eval/magpie/run.js";
import { publicTextOf } from "../../src/eval/magpie/schema.js";
import { deliveredMessages } from "../../src/eval/magpie/score.js";
import { detect, profileItem } from "../../src/guards/privacy/detector.js";
import { LeakMessageGuard } from "../../src/guards/privacy/message-guard.js";

// The development split lives beside the repository; a user's machine will not have it.
const DATA = fileURLToPath(new URL("../../../shared/datasets/magpie", import.meta.url));
const present = existsSync(DATA);
if (!present)
  console.warn(`skipping MAGPIE dataset tests: ${DATA} is absent (development split not available)`);

describe.skipIf(!present)("MAGPIE development split", () => {
  it("loads every row, extras included, with no problem", () => {
    const r = loadMagpie(DATA);
    expect(r.problems).toEqual([]);
    expect(r.scenarios).toHaveLength(r.rows);
    expect(r.rows).toBeGreaterThan(0);
    for (const s of r.scenarios) {
      expect(s.agents.length).toBeGreaterThanOrEqual(2);
      for (const a of s.agents) for (const p of a.private) expect(p.penalty.full).toBeLessThanOrEqual(0);
    }
    // Penalties come from the text, from explicit keys, or the documented default.
    const origins = new Set(
      r.scenarios.flatMap((s) => s.agents.flatMap((a) => a.private.map((p) => p.penalty.origin))),
    );
    expect(origins).toEqual(new Set(["text", "explicit", "default"]));
  });

  it("with the detector guard on, no delivered message states its sender's identifying facts", async () => {
    const { scenarios } = loadMagpie(DATA);
    const { runs, report } = await runMagpie({
      scenarios,
      mode: "rule-careless",
      policyFor: (s) => new RulePolicy(s, true),
      guardsFor: (s) => [new LeakMessageGuard({ publicText: publicTextOf(s) })],
      rounds: 2,
    });
    let redactedOrBlocked = 0;
    for (const sim of runs) {
      redactedOrBlocked += sim.guard.redacted + sim.guard.blocked;
      const publicText = publicTextOf(sim.scenario);
      for (const m of deliveredMessages(sim.runtime.log, sim.runtime.runId)) {
        const sender = sim.scenario.agents.find((a) => a.name === m.from);
        for (const p of sender?.private ?? []) {
          const d = detect(profileItem({ id: p.id, value: p.value, publicText }), m.text);
          expect(d.facts.length + (d.verbatim ? 1 : 0), `${p.id} in ${m.itemId}`).toBe(0);
        }
      }
    }
    expect(redactedOrBlocked).toBeGreaterThan(0);
    expect(report.overall.scenarios).toBe(scenarios.length);
  });
});
