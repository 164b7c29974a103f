import type { BlamePass } from "../blame.js";
import type { SignalKind } from "../signals.js";
import { wrongValueOrigins } from "./origins.js";

/**
 * Values that reach a wrong final answer: blame where each first appeared. Only when there is an
 * outcome to trace: in our runs a guard's block or a crash is not an answer; an imported log's
 * concluding item is its outcome whatever it is.
 */
export const wrongValuesPass: BlamePass = (ctx, state) => {
  const { input, symptom, finalAnswerCorrect } = ctx;
  const answerLike =
    input.source === "imported" ||
    input.finalAnswer !== null ||
    symptom.kind === "wrong_final_answer" ||
    symptom.kind === "final_step";
  if (finalAnswerCorrect === true || !answerLike) return;
  const kind: SignalKind = finalAnswerCorrect === false ? "contradicts_ground_truth" : "wrong_value_origin";
  const wrong = finalAnswerCorrect === false ? "wrong " : "";
  for (const origin of wrongValueOrigins(ctx.idg, ctx.symptomNode, ctx.answerTokens, ctx.firstSeen)) {
    state.blame(
      origin.node,
      kind,
      `first appearance of "${origin.value}", which reaches the ${wrong}final answer`,
      undefined,
      origin.value,
    );
  }
};
