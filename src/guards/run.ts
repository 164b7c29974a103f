import { type Verdict, VerdictSchema } from "./types.js";

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

/** Only a complete verdict counts; anything short of the schema is a guard failure. */
function isVerdict(v: unknown): v is Verdict {
  return VerdictSchema.safeParse(v).success;
}

/** Most restrictive wins: block > needs_approval > vague > redact > allow. */
export function combineDecisions(verdicts: ReadonlyArray<Verdict>): Verdict["decision"] {
  const order: Verdict["decision"][] = ["block", "needs_approval", "vague", "redact", "allow"];
  for (const d of order) if (verdicts.some((v) => v.decision === d)) return d;
  return "allow";
}
