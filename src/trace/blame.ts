import { ACCOUNT_SIGNALS, type LocalSignal, SIGNAL_WEIGHTS, type SignalKind } from "./signals.js";
import type { Symptom } from "./symptoms.js";
import type { Token } from "./tokens.js";
import type { Idg, IdgNode, TraceInput } from "./types.js";

export interface Reason {
  signal: SignalKind | "position";
  detail: string;
  weight: number;
  /** The node whose content shows the signal (may differ from the blamed node, e.g. a tool error). */
  seenAt?: string;
}

/**
 * What the passes accumulate: the reasons each agent item is blamed for. One reason per signal kind
 * and item; only agent items up to the symptom can be blamed.
 */
export class BlameState {
  readonly reasons = new Map<string, Reason[]>();
  /** The claim or instruction an item is blamed for, quoted from its own words. */
  readonly claims = new Map<string, string>();
  /** The steps that carried an item's claim to the symptom, when a pass knows them better than the graph. */
  readonly chains = new Map<string, string[]>();
  private readonly blamed: Uint8Array;

  constructor(
    private readonly limitIndex: number,
    size: number,
  ) {
    this.blamed = new Uint8Array(size);
  }

  blame(
    target: IdgNode | undefined,
    kind: SignalKind,
    detail: string,
    seenAt?: IdgNode,
    claim?: string,
  ): void {
    if (target?.role !== "agent" || target.index > this.limitIndex) return;
    const list = this.reasons.get(target.id) ?? [];
    // Repeated complaints of one kind about the same step add nothing.
    if (list.some((r) => r.signal === kind)) return;
    const reason: Reason = { signal: kind, detail, weight: SIGNAL_WEIGHTS[kind] };
    if (seenAt && seenAt.id !== target.id) reason.seenAt = seenAt.id;
    list.push(reason);
    this.reasons.set(target.id, list);
    this.blamed[target.index] = 1;
    // The log's own account of an item says best what it is blamed for.
    if (claim && (!this.claims.has(target.id) || ACCOUNT_SIGNALS.has(kind)))
      this.claims.set(target.id, claim);
  }

  /** Records how the blamed item's claim reached the symptom (first record wins). */
  carry(target: IdgNode, chain: ReadonlyArray<IdgNode>): void {
    if (!this.chains.has(target.id))
      this.chains.set(
        target.id,
        [target, ...chain].map((n) => n.id),
      );
  }

  isBlamed(index: number): boolean {
    return this.blamed[index] === 1;
  }

  of(node: IdgNode): Reason[] | undefined {
    return this.blamed[node.index] === 1 ? this.reasons.get(node.id) : undefined;
  }
}

/**
 * Choices in reading an orchestrator's ledger, each a reasonable reading of how such logs are
 * written; the defaults are documented in the README, and the Who&When evaluation reports the
 * choice made by leave-one-out beside them.
 */
export interface LedgerReading {
  /** A stall is moved back to the first of the actions before it that left the agent on the same page. */
  pullBackSamePage: boolean;
  /** A claimed answer blames the first statement of its value before the synthesis the orchestrator accepted. */
  answerValueFirst: boolean;
  /** An orchestrator's own conclusion is its closing statement ("request satisfied"), not the ledger that decided it. */
  closingStatement: boolean;
}

export const DEFAULT_LEDGER_READING: LedgerReading = {
  pullBackSamePage: true,
  answerValueFirst: true,
  closingStatement: true,
};

/** Read-only facts every pass may use, computed once per trace. */
export interface TraceContext {
  input: TraceInput;
  idg: Idg;
  symptom: Symptom;
  symptomNode: IdgNode;
  /** Token keys of the task: values given by the request are not errors. */
  given: ReadonlySet<string>;
  /** Local signals per agent item (by index), looked for once. */
  signalsAt: ReadonlyMap<number, readonly LocalSignal[]>;
  /** The distinctive values of the final answer. */
  answerTokens: ReadonlyArray<Token>;
  /** token key -> index of its first appearance, for the values signals, verdicts and the answer name. */
  firstSeen: ReadonlyMap<string, number>;
  upstreamOf: (index: number) => Int32Array;
  finalAnswerCorrect: boolean | null;
  ledgerReading: LedgerReading;
}

/** A pass reads the context and blames items; passes run in order and share only the state. */
export type BlamePass = (ctx: TraceContext, state: BlameState) => void;
