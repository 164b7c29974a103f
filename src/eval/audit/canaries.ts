/**
 * Canaries: the private values a run carries. Declared by scenarios (src/graph/scenario-privacy.ts,
 * where the guards that keep them in their audience live too) or given by value on the command line.
 */
export {
  CANARY_PATTERN,
  type Canary,
  CanarySinkGuard,
  canaryGuards,
  scenarioCanaries,
} from "../../graph/scenario-privacy.js";

import type { Canary } from "../../graph/scenario-privacy.js";

/** Canaries given by value (the command line): who may see them is unknown. */
export function valueCanaries(values: ReadonlyArray<string>): Canary[] {
  return values
    .filter((v) => v.length > 0)
    .map((value, i) => ({ id: `canary#${i + 1}`, value, allowed: null }));
}

/**
 * Shows which canary without showing it: the length, and for long values the first two and last
 * two characters (a short value would be half given away).
 */
export function masked(value: string): string {
  if (value.length < 12) return `${"*".repeat(value.length)} (${value.length} chars)`;
  return `${value.slice(0, 2)}…${value.slice(-2)} (${value.length} chars)`;
}
