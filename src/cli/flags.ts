import type { z } from "zod";
import { fromZodError } from "../core/index.js";

/**
 * A command's flags checked against its schema: a bad flag is one user error naming the flag and
 * pointing at the command's help, the same for every command.
 */
export function parseFlags<S extends z.ZodType>(schema: S, raw: unknown, command: string): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw fromZodError(parsed.error, { file: "command line", hint: `see quorum ${command} --help` });
  return parsed.data;
}
