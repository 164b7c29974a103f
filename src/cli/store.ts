import { isQuorumError, UserInputError } from "../core/index.js";
import { encryptCheckpoints, parseEncryptionKey } from "../graph/encrypted-serde.js";
import type { RunStore } from "../graph/store.js";
import { isPostgresUrl, openRunStore } from "../graph/stores.js";
import { withDatabase } from "./db-errors.js";

/**
 * The run store of `--store SPEC` / `--db PATH` as the CLI opens it: checkpoints encrypted at rest
 * when QUORUM_DB_KEY holds a key, and a checkpoint that cannot be read back reported as the damaged
 * store it is (exit 2), not as an internal error.
 */
export async function openStore(spec: string): Promise<RunStore> {
  const text = process.env.QUORUM_DB_KEY;
  const key = text ? parseEncryptionKey(text, { file: "environment", field: "QUORUM_DB_KEY" }) : undefined;
  const store = await withStore(spec, () => openRunStore(spec));
  if (key) encryptCheckpoints(store.checkpointer, key);
  const serde = store.checkpointer.serde;
  store.checkpointer.serde = {
    dumpsTyped: (data) => serde.dumpsTyped(data),
    loadsTyped: async (type, data) => {
      try {
        return await serde.loadsTyped(type, data);
      } catch (error) {
        // The key's refusals (wrong key, not encrypted) are about this store and the variable.
        if (isQuorumError(error)) {
          if (error.file !== undefined) throw error;
          throw new UserInputError(error.message, {
            file: store.location,
            field: "QUORUM_DB_KEY",
            ...(error.hint !== undefined ? { hint: error.hint } : {}),
            cause: error,
          });
        }
        throw new UserInputError("the store is damaged: a checkpoint cannot be read back", {
          file: store.location,
          field: "--store",
          hint: "restore it from a copy, or start the run again with a new --store",
          cause: error,
        });
      }
    },
  };
  return store;
}

/** Runs `fn`, reporting a SQLite file's failure as that file's problem (Postgres reports its own). */
export function withStore<T>(spec: string, fn: () => Promise<T> | T): Promise<T> {
  return isPostgresUrl(spec) ? Promise.resolve().then(fn) : withDatabase(spec, fn);
}
