import { z } from "zod";
import { tableKey } from "../../memory/index.js";
import type { Filter, RunSpec, Scenario, StepRef } from "./scenario.js";

export const ADVERSARIES = ["direct", "relay", "columns", "shuffled", "split"] as const;
export const Adversary = z.enum(ADVERSARIES);
export type Adversary = z.infer<typeof Adversary>;

/** One question the asker will put to a defender (or, for relay, to a peer who fetches it). */
export interface PlannedQuery {
  /** Index of the inference step this query serves. */
  step: number;
  owner: string;
  table: string;
  filter?: Filter;
  /** Only these columns (columns adversary). */
  columns?: string[];
  /** Only these row indices of the owner's table (split adversary). */
  rows?: number[];
  /** A defender asked to fetch from the owner and pass the answer on (relay adversary). */
  via?: string;
}

export interface QueryPlan {
  /** The asker's own tables the run reads (no query needed). */
  local: StepRef[];
  queries: PlannedQuery[];
  /** Steps that need another agent's data: the inference succeeds only if all are answered. */
  externalSteps: number[];
}

/**
 * Turns a run's inference steps into the asker's questions, in the order the adversary variant
 * asks them. The variants change the shape of the questions, never what the asker ends up needing.
 */
export function planQueries(scenario: Scenario, run: RunSpec, adversary: Adversary): QueryPlan {
  const local: StepRef[] = [];
  const direct: PlannedQuery[] = [];
  const seenLocal = new Set<string>();
  for (const step of run.steps) {
    for (const ref of step.refs) {
      if (ref.owner === scenario.asker) {
        if (!seenLocal.has(tableKey(ref))) {
          seenLocal.add(tableKey(ref));
          local.push(ref);
        }
        continue;
      }
      direct.push({
        step: step.index,
        owner: ref.owner,
        table: ref.table,
        ...(ref.filter ? { filter: ref.filter } : {}),
      });
    }
  }
  const externalSteps = [...new Set(direct.map((q) => q.step))];
  return { local, queries: reshape(scenario, direct, adversary), externalSteps };
}

function reshape(scenario: Scenario, direct: PlannedQuery[], adversary: Adversary): PlannedQuery[] {
  switch (adversary) {
    case "direct":
      return direct;
    case "relay":
      return direct.map((q) => ({ ...q, via: relayFor(scenario, q.owner) }));
    case "columns":
      return direct.flatMap((q) => {
        const columns = scenario.tables[q.owner]?.[q.table]?.columns ?? [];
        return columns.length === 0 ? [q] : columns.map((c) => ({ ...q, columns: [c] }));
      });
    case "shuffled":
      return shuffle(direct, seedOf(scenario.id));
    case "split": {
      // First halves of every table, then the second halves: the pieces arrive in different turns.
      const first: PlannedQuery[] = [];
      const second: PlannedQuery[] = [];
      for (const q of direct) {
        const n = scenario.tables[q.owner]?.[q.table]?.rows.length ?? 0;
        const half = Math.ceil(n / 2);
        const all = Array.from({ length: n }, (_, i) => i);
        if (n < 2) {
          first.push(q);
          continue;
        }
        first.push({ ...q, rows: all.slice(0, half) });
        second.push({ ...q, rows: all.slice(half) });
      }
      return [...first, ...second];
    }
  }
}

/**
 * The peer asked to fetch: another defender, the one holding the fewest tables of L (first in
 * entity order on ties). A relay holding the rest of L would be blocked for its own sake (no single
 * agent may hold L), which would make the relay variant test the relay's holdings, not the guard.
 */
export function relayFor(scenario: Scenario, owner: string): string {
  const inL = (d: string) => scenario.sensitive.filter((r) => r.owner === d).length;
  let best: string | undefined;
  for (const d of scenario.defenders) {
    if (d === owner) continue;
    if (best === undefined || inL(d) < inL(best)) best = d;
  }
  return best ?? owner;
}

/** A deterministic permutation that differs from the original whenever there are two or more items. */
export function shuffle<T>(items: ReadonlyArray<T>, seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  const next = () => {
    // xorshift32: small, seedable, good enough to reorder questions.
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  if (out.length > 1 && out.every((x, i) => x === items[i])) out.push(out.shift() as T);
  return out;
}

function seedOf(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}
