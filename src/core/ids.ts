import { customAlphabet } from "nanoid";
import { z } from "zod";
import { UserInputError } from "./errors.js";

/** Ids are short, URL-safe and carry a readable prefix so a log line says what it points at. */
const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
const random = customAlphabet(alphabet, 12);

export type ItemId = string;
export type RunId = string;

export function newId(prefix: string): string {
  return `${prefix}_${random()}`;
}

export function newRunId(): RunId {
  return newId("run");
}

/**
 * Deterministic ids for scripted runs: the same scenario gives the same ids, so run files
 * diff cleanly and tests can assert exact provenance.
 */
export class SequentialIds {
  private counter = 0;
  constructor(private readonly prefix: string) {}
  next(kind: string): string {
    this.counter += 1;
    return `${this.prefix}-${kind}-${this.counter}`;
  }
}

/**
 * The one character set for ids that become file names or storage keys (thread ids, run ids,
 * scenario step ids): ASCII letters, digits, `.`, `_` and `-`, starting with a letter or digit, so
 * no id can hold a path separator, start a hidden or parent path (`.`, `..`), or carry control or
 * look-alike characters.
 */
export const SAFE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_ID_LENGTH = 128;
const SAFE_ID_HINT = `use letters, digits, '.', '_' and '-' (starting with a letter or digit), at most ${MAX_ID_LENGTH} characters`;

/** The id rule as a zod schema, for ids read from files. */
export const SafeId = z
  .string()
  .min(1, "an id cannot be empty")
  .max(MAX_ID_LENGTH, `an id is at most ${MAX_ID_LENGTH} characters`)
  .regex(SAFE_ID_PATTERN, SAFE_ID_HINT);

export function isSafeId(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_ID_LENGTH && SAFE_ID_PATTERN.test(value);
}

/** Returns the id when it is safe; otherwise a user-input error naming where it came from. */
export function checkId(value: unknown, where: { field: string; file?: string; what?: string }): string {
  if (isSafeId(value)) return value;
  const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : typeof value;
  throw new UserInputError(`${where.what ?? "id"} ${shown} is not a safe id`, {
    field: where.field,
    ...(where.file !== undefined ? { file: where.file } : {}),
    hint: SAFE_ID_HINT,
  });
}
