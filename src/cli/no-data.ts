import { UserInputError } from "../core/index.js";

/**
 * An evaluation with nothing to evaluate is refused (exit 2), not reported as a success: the
 * default dataset folder is a development copy that a user's machine does not have.
 */
export function noDataError(defaultFolder: string, hint: string): UserInputError {
  return new UserInputError(
    `nothing evaluated (skipped: no --data given and the default dataset folder ${defaultFolder} does not exist)`,
    { field: "--data", hint },
  );
}
