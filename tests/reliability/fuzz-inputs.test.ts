// Issue 21 fuzz requirement, the inputs fuzz-loaders.test.ts does not cover: ids given on the
// command line or in code (--thread, resume <threadId>, Team.run), edited plans (resume --edit),
// the checkpoint key (QUORUM_DB_KEY) and the --db file itself. Each input is accepted or refused
// with a user-input QuorumError naming the file and a field, in one line; an accepted id never
// leads out of the folder it names a file in.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it, vi } from "vitest";
import { parseEditedPlan } from "../../src/cli/commands/run.js";
import { withDatabase } from "../../src/cli/db-errors.js";
import { openStore } from "../../src/cli/store.js";
import { checkId, isSafeId } from "../../src/core/index.js";
import { parseEncryptionKey } from "../../src/graph/encrypted-serde.js";
import { SqliteRunStore } from "../../src/graph/sqlite.js";
import { smallTeam } from "../graph/fixtures.js";
import { seedParams } from "./helpers.js";
import {
  expectCleanOutcome,
  expectCleanOutcomeAsync,
  mutatedDoc,
  mutatedText,
  type Outcome,
  randomText,
} from "./mutate.js";

vi.setConfig({ testTimeout: 120_000 });
const tmp = mkdtempSync(join(tmpdir(), "quorum-fuzz-inputs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const RUNS = { ids: 1500, plans: 500, plansRandom: 200, keys: 300, dbFiles: 120 } as const;
let casesRun = 0;
const outcomes = new Map<string, Outcome>();
function outcome(name: string): Outcome {
  let o = outcomes.get(name);
  if (!o) {
    o = { ok: 0, refused: 0 };
    outcomes.set(name, o);
  }
  casesRun += 1;
  return o;
}

const CLI = "command line";
const idArb = fc.oneof(
  fc.string({ maxLength: 140 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  mutatedText("thread-kill-3"),
  fc.constantFrom(
    "..",
    ".",
    "../package",
    "a/../../b",
    "C:\\x",
    "run-1.json",
    "%2e%2e",
    "\u202e",
    "x".repeat(129),
  ),
);

describe("ids (checkId: --thread, resume <threadId>, run ids)", () => {
  it("accepted ids stay inside the folder; refused ones name the flag", () => {
    const dir = resolve(tmp, "runs");
    fc.assert(
      fc.property(idArb, (id) =>
        expectCleanOutcome(outcome("ids"), CLI, () => {
          const safe = checkId(id, { file: CLI, field: "--thread", what: "thread id" });
          const path = resolve(dir, `${safe}.json`);
          expect(path.startsWith(dir + sep) && !path.slice(dir.length + 1).includes(sep)).toBe(true);
        }),
      ),
      seedParams(RUNS.ids),
    );
  });
  it("the SDK runs a team on exactly the ids the CLI accepts", async () => {
    const team = smallTeam();
    for (const id of fc.sample(idArb, { seed: seedParams(1).seed, numRuns: 30 })) {
      const o = outcome("sdk-ids");
      const run = team.run("x", { threadId: id, runId: "r1" });
      if (isSafeId(id)) {
        expect((await run).status).toBe("finished");
        o.ok += 1;
      } else {
        await expect(run).rejects.toMatchObject({ code: "user_input", field: "threadId" });
        o.refused += 1;
      }
    }
  });
});

const PLAN = {
  steps: [
    {
      id: "a",
      assignee: "alpha",
      description: "get a",
      toolCalls: [{ tool: "lookup", args: { key: "a" } }],
      dependsOn: [],
    },
    { id: "b", assignee: "beta", toolCalls: [], dependsOn: ["a"] },
  ],
};

describe("edited plans (resume --edit plan.json)", () => {
  const FILE = "plan.json";
  it("mutated documents and text", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          mutatedDoc(PLAN).map((d) => JSON.stringify(d ?? null)),
          mutatedText(JSON.stringify(PLAN, null, 1)),
        ),
        (text) => expectCleanOutcome(outcome("edited-plan"), FILE, () => parseEditedPlan(text, FILE)),
      ),
      seedParams(RUNS.plans),
    );
  });
  it("random input", () => {
    fc.assert(
      fc.property(randomText, (text) =>
        expectCleanOutcome(outcome("edited-plan"), FILE, () => parseEditedPlan(text, FILE)),
      ),
      seedParams(RUNS.plansRandom),
    );
  });
});

describe("checkpoint keys (QUORUM_DB_KEY)", () => {
  const HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  it("accepted keys are 32 bytes", () => {
    fc.assert(
      fc.property(
        fc.oneof(mutatedText(HEX), mutatedText(Buffer.from(HEX, "hex").toString("base64")), randomText),
        (text) =>
          expectCleanOutcome(outcome("keys"), "environment", () => {
            const key = parseEncryptionKey(text, { file: "environment", field: "QUORUM_DB_KEY" });
            expect(key).toHaveLength(32);
          }),
      ),
      seedParams(RUNS.keys),
    );
  });
});

describe("--db files", () => {
  it("a mutated database opens and is read, or is refused as the database file's problem", async () => {
    const good = join(tmp, "good.db");
    const store = new SqliteRunStore(good);
    await smallTeam({ checkpointer: store.checkpointer, journal: store.journal }).run("x", {
      threadId: "g1",
    });
    store.db.pragma("wal_checkpoint(TRUNCATE)");
    store.close();
    const bytes = readFileSync(good);
    const cases = fc.sample(
      fc.array(fc.record({ at: fc.nat({ max: bytes.length - 1 }), byte: fc.nat({ max: 255 }) }), {
        minLength: 1,
        maxLength: 16,
      }),
      { seed: seedParams(1).seed, numRuns: RUNS.dbFiles },
    );
    for (const [i, edits] of cases.entries()) {
      const file = join(tmp, `m${i}.db`);
      const copy = Buffer.from(bytes);
      // Half of the cases keep the header, so the damage is inside pages rather than at the front.
      for (const e of edits) copy[i % 2 === 0 ? Math.max(100, e.at) : e.at % 100] = e.byte;
      writeFileSync(file, copy);
      await expectCleanOutcomeAsync(outcome("db-files"), file, () =>
        withDatabase(file, async () => {
          const s = await openStore(file);
          try {
            await s.loadThread("g1");
            await s.checkpointer.getTuple({ configurable: { thread_id: "g1" } });
          } finally {
            await s.close();
          }
        }),
      );
    }
  });
});

describe("coverage of this fuzz run", () => {
  it("every input both accepted and refused some", () => {
    const summary = [...outcomes.entries()].map(([k, o]) => `${k}: ${o.ok} accepted, ${o.refused} refused`);
    process.stderr.write(`fuzz-inputs cases: ${casesRun}\n${summary.join("\n")}\n`);
    expect(casesRun).toBeGreaterThanOrEqual(2_500);
    for (const [name, o] of outcomes) {
      expect(o.refused, `${name} refused nothing`).toBeGreaterThan(0);
      expect(o.ok, `${name} accepted nothing`).toBeGreaterThan(0);
    }
  });
});
