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

/** Structured logs (pino) on stderr, redacted by default. Level from QUORUM_LOG_LEVEL, else warn. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.QUORUM_LOG_LEVEL ?? "warn";
  const config = {
    level,
    base: { app: "quorum" },
    ...(options.includePrivate ? {} : { redact: { paths: REDACT_PATHS, censor: "[redacted]" } }),
  };
  return options.destination
    ? pino(config, options.destination as unknown as pino.DestinationStream)
    : pino(config, pino.destination(2));
}

/** A logger that drops everything (the default inside libraries and tests). */
export const silentLogger: Logger = pino({ level: "silent" });
