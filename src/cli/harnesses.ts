import { magpieHarness } from "../eval/magpie/batch.js";
import type { BatchHarness } from "../queue/index.js";

/** The harnesses whose units a `quorum worker` runs and whose batches `quorum eval report` reports. */
export const HARNESSES: ReadonlyArray<BatchHarness> = [magpieHarness];
