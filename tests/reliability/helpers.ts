// Shared helpers for the reliability suites: fault-injecting guards and models, and the seed.
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import type {
  MessageGuard,
  MessageGuardInput,
  PlanGuard,
  PlanGuardInput,
  Verdict,
} from "../../src/guards/types.js";
import type { Invocable } from "../../src/models/index.js";

/**
 * One seed for every property suite, printed once so a failing run can be replayed:
 * `QUORUM_FUZZ_SEED=<seed> npx vitest run tests/reliability`.
 */
export const SEED = Number(process.env.QUORUM_FUZZ_SEED ?? 20261122);
let printed = false;
export function seedParams(numRuns: number): { seed: number; numRuns: number } {
  if (!printed) {
    printed = true;
    process.stderr.write(`reliability property seed: ${SEED} (QUORUM_FUZZ_SEED to replay)\n`);
  }
  return { seed: SEED, numRuns };
}

/** How a guard misbehaves. */
export const GUARD_FAULTS = [
  "throw",
  "reject",
  "hang",
  "null",
  "string",
  "bad-decision",
  "no-rationale",
] as const;
export type GuardFault = (typeof GUARD_FAULTS)[number];

/** What a faulty guard returns instead of a verdict (for the garbage cases). */
function garbage(fault: GuardFault, name: string): unknown {
  switch (fault) {
    case "null":
      return null;
    case "string":
      return "allow";
    case "bad-decision":
      return { guard: name, hook: "message", decision: "maybe", flagged: false, rationale: "?" };
    case "no-rationale":
      return { guard: name, hook: "message", decision: "allow", flagged: false };
    default:
      return undefined;
  }
}

/** Fails the chosen way: throws, rejects, never answers, or answers with garbage. */
export async function misbehave(fault: GuardFault, name: string): Promise<Verdict> {
  if (fault === "throw") throw new TypeError(`${name} exploded`);
  if (fault === "reject") return Promise.reject(new Error(`${name} rejected`));
  if (fault === "hang") return new Promise<Verdict>(() => {});
  return garbage(fault, name) as Verdict;
}

/**
 * Wraps a real message guard: it still sees every message (so its own code runs), then fails in
 * the chosen way instead of answering.
 */
export function faultyMessageGuard(inner: MessageGuard, fault: GuardFault): MessageGuard {
  return {
    name: inner.name,
    async checkMessage(input: MessageGuardInput): Promise<Verdict> {
      await inner.checkMessage(input);
      return misbehave(fault, inner.name);
    },
  };
}

export function faultyPlanGuard(inner: PlanGuard, fault: GuardFault): PlanGuard {
  return {
    name: inner.name,
    async checkPlan(input: PlanGuardInput): Promise<Verdict> {
      await inner.checkPlan(input);
      return misbehave(fault, inner.name);
    },
  };
}

/** A chat model whose calls never return: only a timeout gets a caller out. */
export class HangingChatModel extends BaseChatModel {
  calls = 0;
  constructor() {
    super({});
  }
  _llmType(): string {
    return "hanging";
  }
  async _generate(_messages: BaseMessage[]): Promise<ChatResult> {
    this.calls += 1;
    return new Promise<ChatResult>(() => {});
  }
}

export const hangingInvocable: Invocable = { invoke: () => new Promise<BaseMessage>(() => {}) };
