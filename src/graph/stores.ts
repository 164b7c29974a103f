import { PostgresRunStore } from "./postgres.js";
import { SqliteRunStore } from "./sqlite.js";
import type { RunStore } from "./store.js";

/** Whether a store spec is a Postgres connection string (else it is a SQLite file path). */
export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** Opens the store a spec names: `postgres://...` for Postgres, anything else a SQLite file. */
export async function openRunStore(spec: string): Promise<RunStore> {
  return isPostgresUrl(spec) ? PostgresRunStore.open(spec) : new SqliteRunStore(spec);
}
