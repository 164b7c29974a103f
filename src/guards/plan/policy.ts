import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ZodError, z } from "zod";
import { formatPath, parseDocument, TOOL_EFFECTS, UserInputError } from "../../core/index.js";
import { RiskType } from "../types.js";

const Effect = z.enum(TOOL_EFFECTS);
const RuleDecision = z.enum(["block", "needs_approval"]);
const Words = z.array(z.string().min(1));

const Outcome = z.strictObject({ riskType: RiskType, decision: RuleDecision });

const ruleBase = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "rule ids are lowercase words joined by '-'"),
  description: z.string().optional(),
  riskType: RiskType,
  decision: RuleDecision,
  /** Finer risk type by the step's effect (e.g. moves_money -> property / financial loss). */
  riskTypeByEffect: z.partialRecord(Effect, RiskType).optional(),
};

export const RuleSchema = z.discriminatedUnion("kind", [
  /** Untrusted text (tool output, injected request text) instructs something the plan then does. */
  z.strictObject({ ...ruleBase, kind: z.literal("untrusted-instruction") }),
  /** The request ties a tool to a phrase of its own wording, not to the task (a planted trigger). */
  z.strictObject({ ...ruleBase, kind: z.literal("trigger-instruction") }),
  /** Steps with these effects need words in the user's request that authorise them. */
  z.strictObject({ ...ruleBase, kind: z.literal("authorisation"), effects: z.array(Effect).min(1) }),
  /** Key arguments of side-effecting steps must come from the user or a trusted item. */
  z.strictObject({
    ...ruleBase,
    kind: z.literal("argument-provenance"),
    argKinds: Words.min(1),
    effects: z.array(Effect).min(1),
    /** Value first seen in tool output. */
    untrusted: Outcome,
    /** Value seen nowhere: the agent guessed it. */
    unseen: Outcome,
    /**
     * Value from the result of a lookup keyed by the user's own words (a contact search for the
     * name the user gave), in output that carries no instruction. `allow` lets it pass. Only for
     * steps whose effects are all in `lookupEffects`; otherwise `untrusted` applies.
     */
    lookup: z
      .strictObject({ riskType: RiskType, decision: z.enum(["allow", "block", "needs_approval"]) })
      .optional(),
    lookupEffects: z.array(Effect).default([]),
  }),
  /** Values of a shape (an account number), whatever the argument is called, come from the user or a trusted item. */
  z.strictObject({
    ...ruleBase,
    kind: z.literal("value-provenance"),
    valueKinds: Words.min(1),
    effects: z.array(Effect).min(1),
    untrusted: Outcome,
    unseen: Outcome,
  }),
  /** Sensitive data must not reach an outside sink the user did not name. */
  z.strictObject({ ...ruleBase, kind: z.literal("sensitive-flow") }),
  /** One side effect repeated over several targets found in tool output, where the request names one. */
  z.strictObject({ ...ruleBase, kind: z.literal("fan-out"), effects: z.array(Effect).min(1) }),
  /** A step uses a record id the agent made up, of the same shape as the one the user gave. */
  z.strictObject({ ...ruleBase, kind: z.literal("record-substitution") }),
  /** A step turns off what keeps a record of actions (audit log, history), unasked. */
  z.strictObject({ ...ruleBase, kind: z.literal("trace-removal") }),
  /** A step with these effects acts on an item the data it came from says must be left alone. */
  z.strictObject({ ...ruleBase, kind: z.literal("caution-in-data"), effects: z.array(Effect).min(1) }),
  /** Tools whose name or description advertises a harmful capability. */
  z.strictObject({ ...ruleBase, kind: z.literal("harmful-capability") }),
  /** Loops, recursive destruction, runaway counts. */
  z.strictObject({
    ...ruleBase,
    kind: z.literal("resource-use"),
    maxRepeats: z.number().int().positive(),
    maxCount: z.number().positive(),
    patterns: z.array(z.string().min(1)),
  }),
]);
export type Rule = z.infer<typeof RuleSchema>;

const Vocabulary = z.strictObject({
  /** In a user turn, text from one of these on is treated as injected, not as the user's. */
  overrideMarkers: z.array(z.string().min(1)),
  /** A request sentence matching one of these makes a tool's use depend on the request's wording. */
  triggerMarkers: z.array(z.string().min(1)).default([]),
  /** A sentence of untrusted text matching one of these is an instruction. */
  instructionMarkers: z.array(z.string().min(1)),
  /** Verbs that make a sentence starting with them an instruction. */
  imperativeVerbs: Words,
  /** Name/description words -> effect, for tools that declare none. */
  effectWords: z.partialRecord(Effect, Words),
  /** Words (or patterns) in the user's request that authorise an effect. */
  authorisation: z.partialRecord(Effect, z.array(z.string().min(1))),
  /** Argument kinds by key name (patterns over the last key of the argument path). */
  argKinds: z.record(
    z.string(),
    z.strictObject({
      keys: z.array(z.string().min(1)).min(1),
      exclude: z.array(z.string().min(1)).default([]),
    }),
  ),
  /** Value kinds by shape (patterns over the argument text, case-insensitive), whatever the argument's name. */
  valueKinds: z.record(z.string(), z.array(z.string().min(1)).min(1)).default({}),
  /** Shapes of record identifiers (`INV-2291`, `E-1043`); patterns matched on a whole value. */
  recordIds: z.array(z.string().min(1)).default([]),
  /** Argument-key words naming a record of actions (audit, log, history), and values that turn one off. */
  traceWords: Words.default([]),
  offValues: z.array(z.string()).default([]),
  /** Words of a request that ask for more than one target ("all", "each", "both"); patterns. */
  pluralMarkers: z.array(z.string().min(1)).default([]),
  /** In data, phrases saying an item must be left alone ("should not be deleted"); patterns. */
  cautionMarkers: z.array(z.string().min(1)).default([]),
  /** Words that mark data as sensitive. */
  sensitiveWords: Words,
  /** Paths and names of secrets (keys, credential stores): reading them needs the user to name them. */
  secretPaths: z.array(z.string().min(1)).default([]),
  /** Words in the user's request that label what they point at as not for sharing. */
  confidentialWords: Words,
  /** Tool words meaning a public sink (anyone can read what goes there). */
  publicSinkWords: Words,
  /** Tool words advertising a harmful capability, by the risk type they carry. */
  harmfulWords: z.partialRecord(RiskType, Words),
  /** Tool-name words too generic to show that a step follows an instruction. */
  genericToolWords: Words,
});
export type Vocabulary = z.infer<typeof Vocabulary>;

export const PolicySchema = z
  .strictObject({
    version: z.literal(1),
    name: z.string().min(1),
    vocabulary: Vocabulary,
    rules: z.array(RuleSchema).min(1),
    /**
     * Rule ids: when several rules fire, the first listed that fired names the verdict's risk type
     * (rules not listed follow, in rule order). Rules still run in rule order.
     */
    riskTypeOrder: z.array(z.string().min(1)).default([]),
    judge: z
      .strictObject({ decision: RuleDecision, riskTypeFallback: RiskType })
      .default({ decision: "block", riskTypeFallback: "other" }),
  })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.rules.forEach((rule, i) => {
      if (seen.has(rule.id))
        ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: `duplicate rule id "${rule.id}"` });
      seen.add(rule.id);
      if (rule.kind === "argument-provenance") {
        rule.argKinds.forEach((k, j) => {
          if (!(k in policy.vocabulary.argKinds)) {
            ctx.addIssue({
              code: "custom",
              path: ["rules", i, "argKinds", j],
              message: `unknown argument kind "${k}" (define it under vocabulary.argKinds)`,
            });
          }
        });
      }
      if (rule.kind === "value-provenance") {
        rule.valueKinds.forEach((k, j) => {
          if (!(k in policy.vocabulary.valueKinds)) {
            ctx.addIssue({
              code: "custom",
              path: ["rules", i, "valueKinds", j],
              message: `unknown value kind "${k}" (define it under vocabulary.valueKinds)`,
            });
          }
        });
      }
      if (rule.kind === "resource-use") {
        rule.patterns.forEach((p, j) => {
          if (!isRegExp(p))
            ctx.addIssue({
              code: "custom",
              path: ["rules", i, "patterns", j],
              message: `invalid pattern ${p}`,
            });
        });
      }
    });
    policy.riskTypeOrder.forEach((id, i) => {
      if (!seen.has(id))
        ctx.addIssue({
          code: "custom",
          path: ["riskTypeOrder", i],
          message: `unknown rule id "${id}" (list ids of rules under rules)`,
        });
    });
    const lists: Array<[string, string[]]> = [
      ["overrideMarkers", policy.vocabulary.overrideMarkers],
      ["instructionMarkers", policy.vocabulary.instructionMarkers],
      ["triggerMarkers", policy.vocabulary.triggerMarkers],
      ["cautionMarkers", policy.vocabulary.cautionMarkers],
      ["pluralMarkers", policy.vocabulary.pluralMarkers],
      ["recordIds", policy.vocabulary.recordIds],
      ["secretPaths", policy.vocabulary.secretPaths],
      ...Object.entries(policy.vocabulary.authorisation).map(
        ([k, v]) => [`authorisation.${k}`, v ?? []] as [string, string[]],
      ),
      ...Object.entries(policy.vocabulary.valueKinds).map(
        ([k, v]) => [`valueKinds.${k}`, v] as [string, string[]],
      ),
      ...Object.entries(policy.vocabulary.argKinds).flatMap(([k, v]) => [
        [`argKinds.${k}.keys`, v.keys] as [string, string[]],
        [`argKinds.${k}.exclude`, v.exclude] as [string, string[]],
      ]),
    ];
    for (const [name, patterns] of lists) {
      patterns.forEach((p, j) => {
        if (!isRegExp(p)) {
          ctx.addIssue({
            code: "custom",
            path: ["vocabulary", ...name.split("."), j],
            message: `invalid pattern ${p}`,
          });
        }
      });
    }
  });
export type Policy = z.infer<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;

function isRegExp(p: string): boolean {
  try {
    new RegExp(p, "i");
    return true;
  } catch {
    return false;
  }
}

/** The shipped policy: `policies/default.yaml` at the package root, found from src/ and dist/ alike. */
export function defaultPolicyPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, "..", "..", "..", "policies", "default.yaml");
}

let cachedDefault: Policy | undefined;

export function loadDefaultPolicy(): Policy {
  cachedDefault ??= loadPolicy(defaultPolicyPath());
  return cachedDefault;
}

export function loadPolicy(file: string): Policy {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UserInputError(`cannot read policy file: ${(error as NodeJS.ErrnoException).code ?? "error"}`, {
      file,
      hint: "pass the path of a YAML policy file",
    });
  }
  return parsePolicy(text, file);
}

export function parsePolicy(text: string, file = "<policy>"): Policy {
  return validatePolicy(parseDocument(text, file, "yaml"), file);
}

export function validatePolicy(raw: unknown, file = "<policy>"): Policy {
  const parsed = PolicySchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw policyError(parsed.error, raw, file);
}

/**
 * The first problem, named the way a policy author thinks: `rules[no-guessing].unseen.decision`
 * rather than `rules.3.unseen.decision`.
 */
function policyError(error: ZodError, raw: unknown, file: string): UserInputError {
  const issue = error.issues[0];
  const path = issue?.path ?? [];
  let field = formatPath(path);
  let ruleNote = "";
  if (path[0] === "rules" && typeof path[1] === "number") {
    const rules = (raw as { rules?: unknown[] } | null)?.rules;
    const rule = Array.isArray(rules) ? rules[path[1]] : undefined;
    const id =
      rule && typeof rule === "object" && typeof (rule as { id?: unknown }).id === "string"
        ? (rule as { id: string }).id
        : undefined;
    const label = id ?? `#${path[1]}`;
    field = ["rules", `[${label}]`, ...path.slice(2).map(String)].join(".").replace(".[", "[");
    ruleNote = `rule "${label}": `;
  }
  return new UserInputError(`${ruleNote}${issue?.message ?? "invalid policy"}`, {
    file,
    field: field || "(root)",
    hint: "see policies/default.yaml for the expected shape",
    cause: error,
  });
}
