import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { UserInputError } from "../../src/core/index.js";
import {
  defaultPolicyPath,
  loadDefaultPolicy,
  loadPolicy,
  parsePolicy,
} from "../../src/guards/plan/policy.js";

const defaultText = readFileSync(defaultPolicyPath(), "utf8");

/** The default policy with one change applied, as YAML text. */
function edited(
  change: (p: { rules: Array<Record<string, unknown>>; vocabulary: Record<string, unknown> }) => void,
): string {
  const raw = parseYaml(defaultText) as {
    rules: Array<Record<string, unknown>>;
    vocabulary: Record<string, unknown>;
  };
  change(raw);
  return stringify(raw);
}

function errorOf(fn: () => unknown): UserInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserInputError) return e;
    throw e;
  }
  throw new Error("expected a UserInputError");
}

describe("policy file", () => {
  it("ships a default policy that loads from the package root", () => {
    const p = loadDefaultPolicy();
    expect(defaultPolicyPath()).toMatch(/policies[/\\]default\.yaml$/);
    expect(p.rules.map((r) => r.id)).toContain("argument-provenance");
    expect(p.rules.every((r) => r.riskType.length > 0)).toBe(true);
  });

  it("names the rule and the field of a bad value", () => {
    const text = edited((p) => {
      const rule = p.rules.find((r) => r["id"] === "argument-provenance") as Record<
        string,
        { decision: string }
      >;
      (rule["unseen"] as { decision: string }).decision = "shrug";
    });
    const e = errorOf(() => parsePolicy(text, "my-policy.yaml"));
    expect(e.file).toBe("my-policy.yaml");
    expect(e.field).toBe("rules[argument-provenance].unseen.decision");
    expect(e.message).toContain('rule "argument-provenance"');
    expect(e.toLine()).toContain("my-policy.yaml: rules[argument-provenance].unseen.decision");
  });

  it("names an unknown risk type, rule kind and extra key", () => {
    const badType = edited((p) => {
      (p.rules[0] as Record<string, unknown>)["riskType"] = "mild peril";
    });
    expect(errorOf(() => parsePolicy(badType)).field).toBe("rules[untrusted-instruction].riskType");
    const badKind = edited((p) => {
      (p.rules[1] as Record<string, unknown>)["kind"] = "vibes";
    });
    expect(errorOf(() => parsePolicy(badKind)).field).toBe("rules[harmful-capability].kind");
    const extra = edited((p) => {
      (p.rules[2] as Record<string, unknown>)["maxRepeat"] = 3;
    });
    const e = errorOf(() => parsePolicy(extra));
    expect(e.field).toBe("rules[resource-use]");
    expect(e.message).toContain("maxRepeat");
  });

  it("rejects duplicate ids, unknown argument kinds and broken patterns", () => {
    const dup = edited((p) => {
      (p.rules[1] as Record<string, unknown>)["id"] = "untrusted-instruction";
    });
    expect(errorOf(() => parsePolicy(dup)).message).toContain('duplicate rule id "untrusted-instruction"');
    const kind = edited((p) => {
      const rule = p.rules.find((r) => r["id"] === "argument-provenance") as Record<string, unknown>;
      rule["argKinds"] = ["recipient", "shoe_size"];
    });
    const ke = errorOf(() => parsePolicy(kind));
    expect(ke.field).toBe("rules[argument-provenance].argKinds.1");
    expect(ke.message).toContain('unknown argument kind "shoe_size"');
    const pattern = edited((p) => {
      (p.vocabulary["overrideMarkers"] as string[]).push("ignore (unclosed");
    });
    expect(errorOf(() => parsePolicy(pattern)).field).toMatch(/^vocabulary\.overrideMarkers\.\d+$/);
  });

  it("reports unreadable files and YAML syntax errors as user input errors", () => {
    expect(errorOf(() => loadPolicy("/nonexistent/policy.yaml")).message).toContain(
      "cannot read policy file",
    );
    expect(errorOf(() => parsePolicy("rules: [", "p.yaml")).message).toContain("not valid YAML");
  });
});
