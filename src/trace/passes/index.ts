import type { BlamePass } from "../blame.js";
import { droppedValuesPass } from "./dropped-values.js";
import { localSignalsPass } from "./local-signals.js";
import { orchestrationPass } from "./orchestration.js";
import { unsupportedClaimsPass } from "./unsupported.js";
import { wrongValuesPass } from "./wrong-values.js";

/** The blame passes, in the order they run. A new kind of evidence is a new pass here. */
export const BLAME_PASSES: ReadonlyArray<BlamePass> = [
  localSignalsPass,
  droppedValuesPass,
  wrongValuesPass,
  unsupportedClaimsPass,
  orchestrationPass,
];
