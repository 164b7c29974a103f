import { z } from "zod";
import { type EventLog, fromZodError, type Item } from "../../core/index.js";
import { type Disclosure, disclosedKeys, ledgerFor, type TableRef, tableKey } from "../../memory/index.js";

export const TableRefSchema = z.object({ owner: z.string().min(1), table: z.string().min(1) });

/**
 * How close to L a holder may get. `all`: block the answer that would complete L. `all-but-one`:
 * block already the answer that would leave one table missing (stricter, costs benign answers).
 */
export const Threshold = z.enum(["all", "all-but-one"]);
export type Threshold = z.infer<typeof Threshold>;

/** The declared policy the symbolic guards decide from. */
export const CompositionPolicySchema = z.object({
  /** L: the combination no single agent may hold in full. */
  sensitive: z.array(TableRefSchema).min(1),
  /** Tables each agent holds from the start (it knows them without being told). */
  owned: z.record(z.string(), z.array(TableRefSchema)),
});
export type CompositionPolicy = z.infer<typeof CompositionPolicySchema>;

/** Checks a policy given to a guard; a mistake is the caller's, reported on the `policy` field. */
export function checkPolicy(policy: unknown, guard: string): CompositionPolicy {
  const parsed = CompositionPolicySchema.safeParse(policy);
  if (!parsed.success) {
    throw fromZodError(parsed.error, { file: `${guard} guard options`, fieldPrefix: "policy" });
  }
  return parsed.data;
}

export function requiredCount(policy: Pick<CompositionPolicy, "sensitive">, threshold: Threshold): number {
  const n = new Set(policy.sensitive.map(tableKey)).size;
  return threshold === "all" ? n : Math.max(1, n - 1);
}

/** One recipient's position with respect to L, before and after a draft would reach it. */
export interface Assessment {
  recipient: string;
  /** Keys of L the recipient holds now (own tables included). */
  before: string[];
  /** Keys of L it would hold after the draft. */
  after: string[];
  /** Keys of L the draft would add. */
  added: string[];
  /** Every table key the draft carries with values (in L or not). */
  carried: string[];
  /** |L| */
  total: number;
}

export interface AssessOptions {
  /** Count only what reached the recipient from this author (a single defender's local view). */
  from?: string;
}

/**
 * Where a draft would leave each recipient, from the disclosure ledger (provenance), never from
 * what the draft or the query says.
 */
export function assess(
  log: EventLog,
  runId: string,
  draft: Pick<Item, "labels" | "derivedFrom">,
  recipient: string,
  policy: CompositionPolicy,
  options: AssessOptions = {},
): Assessment {
  const ledger = ledgerFor(log);
  const sensitive = new Set(policy.sensitive.map(tableKey));
  const held = new Set<string>([
    ...disclosedKeys(
      ledger.heldBy(runId, recipient, options.from !== undefined ? { from: options.from } : {}),
    ),
    ...(policy.owned[recipient] ?? []).map(tableKey),
  ]);
  const carried = disclosedKeys(ledger.carriedByDraft(draft));
  const before = [...sensitive].filter((k) => held.has(k));
  const added = [...sensitive].filter((k) => carried.has(k) && !held.has(k));
  return {
    recipient,
    before,
    after: [...before, ...added],
    added,
    carried: [...carried],
    total: sensitive.size,
  };
}

/** True when the draft adds a table of L and leaves the recipient at or past the threshold. */
export function crosses(a: Assessment, required: number): boolean {
  return a.added.length > 0 && a.after.length >= required;
}

/** Tables (schemas only, no rows) a draft carries: what voters may be shown about it. */
export function carriedTables(log: EventLog, draft: Pick<Item, "labels" | "derivedFrom">): Disclosure {
  return ledgerFor(log).carriedByDraft(draft);
}

export function describeKeys(keys: ReadonlyArray<string>): string {
  return keys.length === 0 ? "none" : keys.join(", ");
}

export type { TableRef };
