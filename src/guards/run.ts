import type { Verdict } from "./types.js";

export interface RunGuardOptions {
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Calls one guard and never lets its failure become an "allow": a throw, a timeout or an answer
 * that is not a verdict blocks, with the reason recorded (fail closed).
 */
export async function runGuard(
  name: string,
  hook: Verdict["hook"],
  check: () => Promise<Verdict> | Verdict,
  options: RunGuardOptions = {},
): Promise<Verdict> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    const verdict = await Promise.race([Promise.resolve().then(check), timeout]);
    if (!isVerdict(verdict)) {
      return failClosed(name, hook, "returned something that is not a verdict");
    }
    return verdict;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return failClosed(name, hook, `failed: ${message}`);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

export function failClosed(name: string, hook: Verdict["hook"], why: string): Verdict {
  return {
    guard: name,
    hook,
    decision: "block",
    flagged: true,
    rationale: `guard ${name} ${why}; blocking (fail closed)`,
    failClosed: true,
  };
}

function isVerdict(v: unknown): v is Verdict {
  if (v === null || typeof v !== "object") return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.guard === "string" &&
    typeof o.decision === "string" &&
    ["allow", "block", "redact", "vague", "needs_approval"].includes(o.decision) &&
    typeof o.rationale === "string"
  );
}

/** Most restrictive wins: block > needs_approval > vague > redact > allow. */
export function combineDecisions(verdicts: ReadonlyArray<Verdict>): Verdict["decision"] {
  const order: Verdict["decision"][] = ["block", "needs_approval", "vague", "redact", "allow"];
  for (const d of order) if (verdicts.some((v) => v.decision === d)) return d;
  return "allow";
}
