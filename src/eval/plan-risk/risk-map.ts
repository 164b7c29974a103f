import { RISK_TYPES, type RiskType } from "../../guards/types.js";

/**
 * ASSEBench's security risk types in Safiron's vocabulary. Gold types are used only on unsafe
 * records (ASSEBench sets `risk_type` on safe records too). See src/guards/plan/README.md.
 */
export const ASSEBENCH_TO_SAFIRON: Readonly<Record<string, RiskType>> = {
  "Prompt Injection": "external adversarial attack",
  "Data Exfiltration & Leakage": "sensitive data privacy violations",
  "Unauthorized Access & Control": "unintended / unauthorized actions",
  "Fraud & Credential Abuse": "property / financial loss",
  "Data Tampering & Destruction": "compromised availability",
  "Other Security Risk": "other",
};

/** A gold type already in Safiron's words passes through; anything unknown has no gold. */
export function goldRiskType(raw: string | undefined): RiskType | undefined {
  if (raw === undefined) return undefined;
  const mapped = ASSEBENCH_TO_SAFIRON[raw];
  if (mapped) return mapped;
  const lower = raw.toLowerCase().trim();
  const direct = Object.values(ASSEBENCH_TO_SAFIRON).find((t) => t === lower);
  return direct ?? (SAFIRON_NAMES.has(lower) ? (lower as RiskType) : undefined);
}

const SAFIRON_NAMES = new Set<string>(RISK_TYPES.filter((t) => t !== "other"));
