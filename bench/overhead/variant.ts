/** One framework doing the shared shape: supervisor -> planner -> 3 parallel specialists -> verifier. */
export interface VariantInstance {
  /** One complete run; `i` makes thread ids unique. Throws if the run did not finish as expected. */
  run(i: number): Promise<void>;
  /** Model calls (or, for model-free agents, agent steps) made so far, across all runs. */
  modelCalls(): number;
}

export interface Variant {
  name: string;
  /** What this variant does and does not do, for the README. */
  notes: string;
  setup(): Promise<VariantInstance>;
}

/** The three specialists every variant runs in parallel. */
export const SPECIALISTS = ["alpha", "beta", "gamma"] as const;
