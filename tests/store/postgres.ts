import pg from "pg";

/**
 * The Postgres the store tests run on: QUORUM_TEST_POSTGRES (set by .ci/run, which starts a
 * throwaway cluster). Locally the tests skip without it; under CI=true its absence is a failure.
 */
export const POSTGRES_URL = process.env.QUORUM_TEST_POSTGRES || undefined;

export const POSTGRES_SKIP_REASON =
  "QUORUM_TEST_POSTGRES is not set: Postgres store tests skipped (scripts/postgres-throwaway.sh start prints it)";

/** Fails under CI when Postgres is missing, instead of letting the tests skip. */
export function requirePostgresInCi(): void {
  if (!POSTGRES_URL && process.env.CI === "true")
    throw new Error("CI=true but QUORUM_TEST_POSTGRES is not set: the Postgres store tests cannot run");
}

/** A new database on the test server for one test file (its tables are its own), and its removal. */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!POSTGRES_URL) throw new Error(POSTGRES_SKIP_REASON);
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
