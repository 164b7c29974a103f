import type { EventLog, Item } from "../../core/index.js";
import type { MessageGuard, MessageGuardInput, Verdict } from "../types.js";
import {
  applyRedaction,
  type Detection,
  detect,
  type ItemProfile,
  type MessageView,
  type PrivateItemInput,
  profileItem,
  readMessage,
  redactionSpans,
  WITHHELD,
} from "./detector.js";

export type GuardMode = "redact" | "block" | "rewrite";

/**
 * What the guard acts on. `facts` (default): a secret fact or a verbatim run; a penalised hint line
 * (the owner's choice at its stated cost) and a topic-only match are flagged and delivered.
 * `partial`: everything the detector rates as a leak, the topic sentence and the hint line included.
 */
export type GuardScope = "facts" | "partial";

export function intervenes(d: Detection, scope: GuardScope = "facts"): boolean {
  if (scope === "partial") return d.rating !== "none";
  return d.facts.length > 0 || d.verbatim;
}

/** Label of the log item that holds one of an agent's private items (content `{key, value}`). */
export const PRIVATE_ITEM_LABEL = "private-item";

export interface ProtectedItem extends PrivateItemInput {
  owner: string;
  /** Short name for rationales; the value never appears in a verdict. */
  key?: string;
}

export interface LeakGuardOptions {
  name?: string;
  /**
   * `redact` (default) replaces the spans that convey a secret fact and delivers the rest; `block`
   * withholds the message; `rewrite` withholds it and asks the sender for a version without the
   * named facts (a runtime that supports it, like the MAGPIE simulator, sends the request back).
   */
  mode?: GuardMode;
  /**
   * Items to protect. When absent the guard reads the sender's private items from the log
   * (notes the sender authored with the `private-item` label).
   */
  items?: ReadonlyArray<ProtectedItem>;
  /** What everybody knows already; facts found there are not protected. */
  publicText?: string;
  /** Also block a message that only reveals the topic (partial, no identifying fact). Off by default. */
  blockPartial?: boolean;
  /** What the guard acts on (see `GuardScope`); `facts` by default. */
  scope?: GuardScope;
  /** Text put in place of a redacted span. */
  mark?: string;
}

/**
 * Message guard backed by the deterministic leak detector: checks an outgoing message against the
 * sender's private items and allows it, redacts the identifying spans (keeping the rest), or
 * blocks it. Verdicts name the item's key and the kinds of fact found, never the values, because
 * verdicts are saved in run files.
 */
export class LeakMessageGuard implements MessageGuard {
  readonly name: string;
  private readonly mode: GuardMode;
  private readonly blockPartial: boolean;
  private readonly scope: GuardScope;
  private readonly mark: string;
  private readonly publicText: string;
  private readonly items: ReadonlyArray<ProtectedItem> | undefined;
  private readonly profiles = new Map<string, ItemProfile>();

  constructor(options: LeakGuardOptions = {}) {
    this.name = options.name ?? "leak-detector";
    this.mode = options.mode ?? "redact";
    this.blockPartial = options.blockPartial ?? false;
    this.scope = options.scope ?? "facts";
    this.mark = options.mark ?? WITHHELD;
    this.publicText = options.publicText ?? "";
    this.items = options.items;
  }

  checkMessage(input: MessageGuardInput): Verdict {
    const verdict = this.checkAlone(input);
    if (verdict.decision === "block") return verdict;
    const delivered = verdict.decision === "redact" ? verdict.replacement : input.message.content;
    return this.checkAccumulated(input, verdict, leafText(delivered));
  }

  /**
   * What a recipient has received from this sender adds up: a value split over two messages ("my
   * SSN starts 078-05-", "and ends 1120") is withheld when the second would complete it. What was
   * received is read from the log (the guard keeps no state of its own), so it holds across a
   * resume in another process and is released with the log.
   */
  private checkAccumulated(input: MessageGuardInput, verdict: Verdict, text: string): Verdict {
    const items = this.itemsOf(input.log, input.runId, input.from);
    if (items.length === 0) return verdict;
    for (const to of input.to) {
      const before = receivedFrom(input.log, input.runId, input.from, to);
      if (before === "") continue;
      for (const item of items) {
        const profile = this.profile(item);
        if (intervenes(detect(profile, text), this.scope)) continue;
        if (intervenes(detect(profile, `${before}\n${text}`), this.scope)) {
          return {
            guard: this.name,
            hook: "message",
            decision: "block",
            flagged: true,
            riskType: "sensitive data privacy violations",
            rationale: `with what ${to} already received, the message completes private ${item.key ?? item.id}; rephrase`,
          };
        }
      }
    }
    return verdict;
  }

  private checkAlone(input: MessageGuardInput): Verdict {
    const items = this.itemsOf(input.log, input.runId, input.from);
    const base = { guard: this.name, hook: "message" as const };
    if (items.length === 0) {
      return { ...base, decision: "allow", flagged: false, rationale: "sender has no private items" };
    }
    const strings = stringLeaves(input.message.content);
    const found: Array<{ item: ProtectedItem; path: string; detection: Detection }> = [];
    const views = strings.map((leaf) => readMessage(leaf.text));
    for (const item of items) {
      const profile = this.profile(item);
      for (const [i, leaf] of strings.entries()) {
        const detection = detect(profile, views[i] as MessageView);
        if (detection.rating !== "none") found.push({ item, path: leaf.path, detection });
      }
    }
    const identifying = found.filter((f) => intervenes(f.detection, this.scope));
    const partialOnly = found.filter((f) => !identifying.includes(f));
    if (identifying.length === 0) {
      if (partialOnly.length > 0 && this.blockPartial) {
        return {
          ...base,
          decision: "block",
          flagged: true,
          riskType: "sensitive data privacy violations",
          rationale: `message hints at private ${describe(partialOnly)}; rephrase without the topic`,
        };
      }
      return {
        ...base,
        decision: "allow",
        flagged: partialOnly.length > 0,
        rationale:
          partialOnly.length > 0
            ? `message touches the topic of private ${describe(partialOnly)} without identifying facts`
            : "no private facts found",
      };
    }
    const what = describe(identifying);
    if (this.mode !== "redact") {
      return {
        ...base,
        decision: "block",
        flagged: true,
        riskType: "sensitive data privacy violations",
        rationale:
          this.mode === "rewrite"
            ? `rewrite the message without private ${what}; the rest may stay`
            : `message states private ${what}; rephrase without those details`,
      };
    }
    const spansByPath = new Map<string, Detection[]>();
    for (const f of identifying) {
      const list = spansByPath.get(f.path) ?? [];
      list.push(f.detection);
      spansByPath.set(f.path, list);
    }
    const replacement = mapStrings(input.message.content, (text, path) => {
      const detections = spansByPath.get(path);
      if (!detections) return text;
      return applyRedaction(
        text,
        detections.flatMap((d) => redactionSpans(d)),
        this.mark,
      );
    });
    // Redaction must actually remove what identifies the items; otherwise do not deliver at all.
    const residue = stringLeaves(replacement).some((leaf) =>
      items.some((item) => {
        return intervenes(detect(this.profile(item), leaf.text), this.scope);
      }),
    );
    if (residue) {
      return {
        ...base,
        decision: "block",
        flagged: true,
        riskType: "sensitive data privacy violations",
        rationale: `message states private ${what} and redaction could not remove it; rephrase`,
      };
    }
    return {
      ...base,
      decision: "redact",
      flagged: true,
      riskType: "sensitive data privacy violations",
      rationale: `redacted private ${what}`,
      replacement,
    };
  }

  private profile(item: ProtectedItem): ItemProfile {
    const key = `${item.owner}\u0000${item.id}`;
    let p = this.profiles.get(key);
    if (!p) {
      p = profileItem({
        id: item.id,
        value: item.value,
        publicText: item.publicText ?? this.publicText,
        ...(item.exact ? { exact: true } : {}),
      });
      this.profiles.set(key, p);
    }
    return p;
  }

  private itemsOf(log: EventLog, runId: string, from: string): ProtectedItem[] {
    if (this.items) return this.items.filter((i) => i.owner === from);
    return log
      .items({ runId, author: from })
      .filter((i) => i.labels.includes(PRIVATE_ITEM_LABEL))
      .map((i) => privateItemFromLog(i))
      .filter((i): i is ProtectedItem => i !== null);
  }
}

function privateItemFromLog(item: Item): ProtectedItem | null {
  const c = item.content as { key?: unknown; value?: unknown } | null;
  if (c === null || typeof c !== "object" || typeof c.value !== "string") return null;
  const key = typeof c.key === "string" ? c.key : item.id;
  return { id: item.id, owner: item.author, value: c.value, key };
}

function describe(found: ReadonlyArray<{ item: ProtectedItem; detection: Detection }>): string {
  const byItem = new Map<string, Set<string>>();
  for (const f of found) {
    const name = f.item.key ?? f.item.id;
    const kinds = byItem.get(name) ?? new Set<string>();
    for (const e of f.detection.evidence) if (e.kind !== "keyword") kinds.add(e.kind);
    if (kinds.size === 0) kinds.add("topic");
    byItem.set(name, kinds);
  }
  return [...byItem.entries()].map(([name, kinds]) => `${name} (${[...kinds].join(", ")})`).join("; ");
}

export interface StringLeaf {
  path: string;
  text: string;
}

/** Bounded: what one recipient got lately, not a whole long run. */
const HISTORY_CHARS = 20_000;

/** The text of the messages `from` delivered to `to` in a run, the latest `HISTORY_CHARS` of it. */
function receivedFrom(log: EventLog, runId: string, from: string, to: string): string {
  const seen = log.seenBy(runId, to);
  const parts: string[] = [];
  let chars = 0;
  for (let i = seen.length - 1; i >= 0 && chars < HISTORY_CHARS; i--) {
    const e = seen[i];
    if (e === undefined || e.via !== "message" || e.item.author !== from) continue;
    const text = leafText(e.item.content);
    parts.push(text);
    chars += text.length + 1;
  }
  return parts.reverse().join("\n").slice(-HISTORY_CHARS);
}

function leafText(content: unknown): string {
  return stringLeaves(content)
    .map((l) => l.text)
    .join("\n");
}

/**
 * Every string and number inside a message's content, with a path, so structured messages are
 * checked too (a number-typed field carries a value as well as a string does).
 */
export function stringLeaves(content: unknown, path = ""): StringLeaf[] {
  if (typeof content === "string") return [{ path, text: content }];
  if (typeof content === "number" && Number.isFinite(content)) return [{ path, text: String(content) }];
  if (Array.isArray(content)) return content.flatMap((v, i) => stringLeaves(v, `${path}.${i}`));
  if (content !== null && typeof content === "object") {
    return Object.entries(content as Record<string, unknown>).flatMap(([k, v]) =>
      stringLeaves(v, `${path}.${k}`),
    );
  }
  return [];
}

export function mapStrings(content: unknown, f: (text: string, path: string) => string, path = ""): unknown {
  if (typeof content === "string") return f(content, path);
  if (typeof content === "number" && Number.isFinite(content)) {
    // A number that carries a value is replaced whole by the mark.
    const out = f(String(content), path);
    return out === String(content) ? content : out;
  }
  if (Array.isArray(content)) return content.map((v, i) => mapStrings(v, f, `${path}.${i}`));
  if (content !== null && typeof content === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(content as Record<string, unknown>))
      out[k] = mapStrings(v, f, `${path}.${k}`);
    return out;
  }
  return content;
}
