import { z } from "zod";

/** Declarative checks a rule-backed verifier applies to a text. */
export const CriteriaSchema = z.object({
  contains: z.array(z.string()).default([]),
  notContains: z.array(z.string()).default([]),
  /** A regular expression the text must match (JavaScript syntax, case-insensitive). */
  matches: z.string().optional(),
});
export type Criteria = z.infer<typeof CriteriaSchema>;

export function describeCriteria(c: Criteria): string {
  const parts: string[] = [];
  if (c.contains.length) parts.push(`mentions ${c.contains.map((s) => JSON.stringify(s)).join(", ")}`);
  if (c.notContains.length)
    parts.push(`does not mention ${c.notContains.map((s) => JSON.stringify(s)).join(", ")}`);
  if (c.matches) parts.push(`matches /${c.matches}/i`);
  return parts.join("; ") || "non-empty";
}

/** Returns the reasons the text fails the criteria (empty = pass). */
export function checkCriteria(text: string, c: Criteria): string[] {
  const reasons: string[] = [];
  const lower = text.toLowerCase();
  if (text.trim() === "") reasons.push("output is empty");
  for (const s of c.contains) if (!lower.includes(s.toLowerCase())) reasons.push(`does not mention "${s}"`);
  for (const s of c.notContains)
    if (lower.includes(s.toLowerCase())) reasons.push(`mentions "${s}", which it must not`);
  if (c.matches !== undefined && !new RegExp(c.matches, "i").test(text))
    reasons.push(`does not match /${c.matches}/`);
  return reasons;
}
