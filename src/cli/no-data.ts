import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UserInputError } from "../core/index.js";

/**
 * A shipped sample (`examples/data/...`, relative to the package root), found from src/ and dist/
 * alike: the default `--data` of the eval commands, so a fresh clone runs them as they are.
 */
export function sampleData(fromRoot: string): string {
  return fileURLToPath(new URL(`../../${fromRoot}`, import.meta.url));
}

/**
 * The data an eval command reads: `--data` when given, else the shipped sample. A missing sample
 * (an install without `examples/`) is refused (exit 2), naming where the full dataset comes from.
 */
export function dataOrSample(data: string | undefined, fromRoot: string, source: string): string {
  if (data !== undefined) return data;
  const sample = sampleData(fromRoot);
  if (!existsSync(sample)) throw noDataError(sample, `pass --data <path>; the full dataset is ${source}`);
  return sample;
}

/**
 * An evaluation with nothing to evaluate is refused (exit 2), not reported as a success.
 */
export function noDataError(defaultPath: string, hint: string): UserInputError {
  return new UserInputError(
    `nothing evaluated (no --data given and the default sample ${defaultPath} does not exist)`,
    { field: "--data", hint },
  );
}
