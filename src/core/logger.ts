import { type Logger, pino } from "pino";

export type { Logger };

/**
 * Field paths whose values are never written to logs, whatever the level: item contents,
 * tool arguments and results, memory values, message texts, prompts.
 */
export const REDACT_PATHS = [
  "content",
  "*.content",
  "args",
  "*.args",
  "value",
  "*.value",
  "result",
  "*.result",
  "text",
  "*.text",
  "prompt",
  "*.prompt",
  "messages",
  "*.messages",
];

export interface LoggerOptions {
  level?: string;
  /** Opt-in only: log private values too (for local debugging of your own data). */
  includePrivate?: boolean;
  destination?: NodeJS.WritableStream;
}

const CENSOR = "[redacted]";
/** The keys of REDACT_PATHS, censored at any depth (pino's paths reach one level only). */
const REDACT_KEYS = new Set(REDACT_PATHS.filter((p) => !p.includes(".")));
/** Under these keys an error's message and stack are censored too: they may quote private data. */
const ERROR_KEYS = new Set(["err", "error", "cause"]);
const MAX_DEPTH = 12;

/**
 * A copy of a log object with every value under a redacted key replaced, at any depth, and the
 * message and stack of errors (Error instances, or objects under `err`/`error`/`cause`) too.
 */
export function censorDeep(value: unknown, depth = 0, inError = false): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_DEPTH) return CENSOR;
  if (Array.isArray(value)) return value.map((v) => censorDeep(v, depth + 1, inError));
  const isError = value instanceof Error;
  const out: Record<string, unknown> = isError ? { type: value.name } : {};
  const entries = Object.entries(value);
  if (isError) entries.push(["message", value.message], ["stack", value.stack]);
  for (const [key, inner] of entries) {
    if (REDACT_KEYS.has(key) || ((isError || inError) && (key === "message" || key === "stack")))
      out[key] = inner === undefined ? undefined : CENSOR;
    else out[key] = censorDeep(inner, depth + 1, ERROR_KEYS.has(key));
  }
  return out;
}

/** Structured logs (pino) on stderr, redacted by default. Level from QUORUM_LOG_LEVEL, else warn. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.QUORUM_LOG_LEVEL ?? "warn";
  const config = {
    level,
    base: { app: "quorum" },
    ...(options.includePrivate
      ? {}
      : {
          redact: { paths: REDACT_PATHS, censor: CENSOR },
          formatters: {
            log: (object: Record<string, unknown>) => censorDeep(object) as Record<string, unknown>,
          },
        }),
  };
  return options.destination
    ? pino(config, options.destination as unknown as pino.DestinationStream)
    : pino(config, pino.destination(2));
}

/** A logger that drops everything (the default inside libraries and tests). */
export const silentLogger: Logger = pino({ level: "silent" });
