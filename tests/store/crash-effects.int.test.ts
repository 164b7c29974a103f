import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, POSTGRES_SKIP_REASON, POSTGRES_URL, requirePostgresInCi } from "./postgres.js";

/**
 * Kills inside a side-effecting tool (after it acted, before the journal recorded its result)
 * and two resumers at once, on every store: a call that is not idempotent never runs twice, an
 * idempotent one is retried with the same key, and only one process runs a thread at a time.
 */
requirePostgresInCi();
const dir = mkdtempSync(join(tmpdir(), "quorum-effects-"));
const FIXTURE = join(import.meta.dirname, "fixtures", "effects-team.mjs");
let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;
beforeAll(async () => {
  if (POSTGRES_URL) database = await freshDatabase("quorum_effects");
}, 30_000);
afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  killed: boolean;
  stderr: string;
  result: { status?: string; reason?: string; finalAnswer?: string; tools?: string[]; error?: string };
}

/** Runs the fixture team; with `killAt`, SIGKILLs it once it has shown that many effects. */
function team(
  args: string[],
  options: { killAt?: number; onEffect?: () => void; pauseMs?: number } = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, EFFECT_PAUSE_MS: String(options.pauseMs ?? 300) },
    });
    let stdout = "";
    let stderr = "";
    let killed = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      const effects = stderr.split("\n").filter((l) => l.startsWith("effect ")).length;
      if (effects > 0) options.onEffect?.();
      if (options.killAt !== undefined && !killed && effects >= options.killAt)
        killed = child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const line = stdout.trim().split("\n").pop() ?? "";
      resolve({ code, killed, stderr, result: line ? (JSON.parse(line) as Outcome["result"]) : {} });
    });
  });
}

function effectLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

function countsPerKey(lines: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

let files = 0;
const stores: Array<[string, (() => string) | undefined]> = [
  ["sqlite", () => join(dir, `e${files++}.db`)],
  ["postgres", POSTGRES_URL ? () => database?.url as string : undefined],
];

for (const [name, storeFor] of stores) {
  const suite = storeFor ? describe : describe.skip;
  suite(`side effects across crashes: ${name}${storeFor ? "" : ` (${POSTGRES_SKIP_REASON})`}`, () => {
    const spec = () => (storeFor as () => string)();
    const tag = Math.random().toString(36).slice(2, 8);

    it("does not run again a non-idempotent call killed inside the tool, and says which call", async () => {
      const store = spec();
      const thread = `plain-${tag}`;
      const effects = join(dir, `${thread}.log`);
      const first = await team(["run", store, thread, effects], { killAt: 1 });
      expect(first.killed, first.stderr).toBe(true);
      const cut = effectLines(effects);
      expect(cut.length).toBeGreaterThan(0);
      for (let i = 0; i < 2; i++) {
        const r = await team(["resume", store, thread, effects]);
        expect(r.result.status, r.stderr).toBe("failed");
        expect(r.result.reason).toMatch(/append call \S+ started before an interruption .* not run again/);
        // a and b run in parallel: either may be the call named (both had started).
        expect(r.result.reason).toMatch(new RegExp(`append call ${thread}:[ab]:1:0 `));
      }
      for (const [key, n] of countsPerKey(effectLines(effects))) expect(n, key).toBe(1);
    });

    it.each([1, 2, 3])(
      "retries an idempotent call killed inside the tool (effect %i) with the same key, once in effect",
      async (killAt) => {
        const store = spec();
        const thread = `idem-${killAt}-${tag}`;
        const effects = join(dir, `${thread}.log`);
        const first = await team(["run", store, thread, effects, "idempotent"], { killAt });
        expect(first.killed, first.stderr).toBe(true);
        const r = await team(["resume", store, thread, effects, "idempotent"]);
        expect(r.result.status, r.stderr).toBe("finished");
        expect(r.result.finalAnswer).toBe("A a / B b / C c");
        expect(r.result.tools).toContain("retried");
        const lines = effectLines(effects);
        expect(lines).toHaveLength(3);
        for (const [key, n] of countsPerKey(lines)) expect(n, key).toBe(1);
      },
    );

    it("lets one of two concurrent resumers run; the other is refused, naming the thread and the owner", async () => {
      const store = spec();
      const thread = `two-${tag}`;
      const effects = join(dir, `${thread}.log`);
      const first = await team(["run", store, thread, effects, "idempotent"], { killAt: 1 });
      expect(first.killed).toBe(true);
      let second: Promise<Outcome> | undefined;
      // The second starts while the first is inside a tool, holding the lease.
      const winner = await team(["resume", store, thread, effects, "idempotent"], {
        pauseMs: 2500,
        onEffect: () => {
          second ??= team(["resume", store, thread, effects, "idempotent"]);
        },
      });
      const loser = await (second as Promise<Outcome>);
      expect(winner.result.status, winner.stderr).toBe("finished");
      expect(loser.code).toBe(2);
      expect(loser.result.error).toMatch(new RegExp(`thread ${thread} is being run by \\S+:\\d+:`));
      const lines = effectLines(effects);
      expect(lines).toHaveLength(3);
      for (const [key, n] of countsPerKey(lines)) expect(n, key).toBe(1);
    });
  });
}
