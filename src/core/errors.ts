import type { ZodError } from "zod";

/** Whose fault it is: decides the CLI exit code and what the message asks the user to do. */
export type ErrorCode = "user_input" | "model" | "guard" | "internal";

export interface QuorumErrorOptions {
  /** File (or URL, or thread id) the error is about. */
  file?: string;
  /** Dotted path of the offending field inside the file, e.g. `agents.2.name`. */
  field?: string;
  /** What to do about it. */
  hint?: string;
  /** Which agent and step, when the error happened inside a run. */
  agent?: string;
  step?: number;
  cause?: unknown;
}

export class QuorumError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly field: string | undefined;
  readonly hint: string | undefined;
  readonly agent: string | undefined;
  readonly step: number | undefined;

  constructor(code: ErrorCode, message: string, options: QuorumErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.file = options.file;
    this.field = options.field;
    this.hint = options.hint;
    this.agent = options.agent;
    this.step = options.step;
  }

  /** One line for a terminal: where, what, and the hint. */
  toLine(): string {
    const where = [this.file, this.field].filter(Boolean).join(": ");
    const who =
      this.agent !== undefined
        ? ` (agent ${this.agent}${this.step !== undefined ? `, step ${this.step}` : ""})`
        : "";
    const hint = this.hint ? ` (hint: ${this.hint})` : "";
    return `error[${this.code}]${where ? ` ${where}:` : ""} ${this.message}${who}${hint}`;
  }

  /** CLI exit code: 2 for anything the user can fix, 1 otherwise. */
  get exitCode(): number {
    return this.code === "user_input" ? 2 : 1;
  }
}

export class UserInputError extends QuorumError {
  constructor(message: string, options: QuorumErrorOptions = {}) {
    super("user_input", message, options);
  }
}

export class ModelError extends QuorumError {
  constructor(message: string, options: QuorumErrorOptions = {}) {
    super("model", message, options);
  }
}

export class GuardError extends QuorumError {
  constructor(message: string, options: QuorumErrorOptions = {}) {
    super("guard", message, options);
  }
}

export class InternalError extends QuorumError {
  constructor(message: string, options: QuorumErrorOptions = {}) {
    super("internal", message, options);
  }
}

/** Dotted path as users read it in their files: `agents.2.name`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => String(p)).join(".");
}

/**
 * Turns the first zod issue into a user-input error naming the file and field. Only the first:
 * one clear line beats a wall of cascading complaints.
 */
export function fromZodError(
  error: ZodError,
  options: { file?: string; hint?: string; fieldPrefix?: string } = {},
): UserInputError {
  const issue = error.issues[0];
  const inner = issue ? formatPath(issue.path) : "";
  const field = [options.fieldPrefix, inner].filter((s) => s !== undefined && s !== "").join(".");
  const opts: QuorumErrorOptions = { field: field || "(root)", cause: error };
  if (options.file !== undefined) opts.file = options.file;
  if (options.hint !== undefined) opts.hint = options.hint;
  return new UserInputError(issue?.message ?? "invalid input", opts);
}

export function isQuorumError(error: unknown): error is QuorumError {
  return error instanceof QuorumError;
}

/** Wraps anything thrown into a QuorumError; unknown errors are internal (our bug, not the user's). */
export function asQuorumError(error: unknown): QuorumError {
  if (error instanceof QuorumError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new InternalError(message, { cause: error });
}
