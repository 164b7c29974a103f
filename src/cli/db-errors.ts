import { UserInputError } from "../core/index.js";

/** SQLite result codes that mean the file, its folder or its disk, not a bug in Quorum. */
const USER_FIXABLE: Record<string, string> = {
  SQLITE_NOTADB: "the file is not a SQLite database",
  SQLITE_CORRUPT: "the database file is damaged",
  SQLITE_READONLY: "the database is read-only",
  SQLITE_FULL: "the disk holding the database is full",
  SQLITE_CANTOPEN: "the database file cannot be opened",
  SQLITE_PERM: "no permission to use the database file",
  SQLITE_IOERR: "the database file could not be read or written",
  SQLITE_BUSY: "the database is locked by another process",
};

/** The first SQLite error code in an error or its causes (`SQLITE_IOERR_WRITE` counts as IOERR). */
function sqliteCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e !== null && typeof e === "object" && depth < 8; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("SQLITE_")) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Turns an error from the database file into a user-facing one naming the file (exit 2); returns
 * undefined for anything else, which stays what it was.
 */
export function databaseError(error: unknown, file: string): UserInputError | undefined {
  const code = sqliteCode(error);
  if (code === undefined) return undefined;
  const base = Object.keys(USER_FIXABLE).find((k) => code === k || code.startsWith(`${k}_`));
  if (base === undefined) return undefined;
  return new UserInputError(`${USER_FIXABLE[base]} (${code})`, {
    file,
    field: "--db",
    hint: "pass a writable SQLite file on a disk with free space (--db PATH)",
    cause: error,
  });
}

/** Runs `fn`, reporting a database failure as the database file's problem. */
export async function withDatabase<T>(file: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw databaseError(error, file) ?? error;
  }
}
