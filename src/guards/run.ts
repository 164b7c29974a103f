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
  try {
    const answer = check();
    // A check that answers synchronously has finished before any timer could fire, so only an
    // asynchronous answer is raced against the timeout (and pays for a timer).
    const verdict = isPromiseLike(answer)
      ? await withTimeout(answer, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
      : answer;
    if (!isVerdict(verdict)) {
      return failClosed(name, hook, "returned something that is not a verdict");
    }
    return verdict;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return failClosed(name, hook, `failed: ${message}`);
  }
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === "function";
}

async function withTimeout<T>(answer: PromiseLike<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
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
