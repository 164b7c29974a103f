import { isQuorumError, UserInputError } from "../core/index.js";
import { encryptCheckpoints, parseEncryptionKey } from "../graph/encrypted-serde.js";
import { SqliteRunStore } from "../graph/sqlite.js";

/**
 * The run store of `--db PATH` as the CLI opens it: checkpoints encrypted at rest when
 * QUORUM_DB_KEY holds a key, and a checkpoint that cannot be read back reported as the damaged
 * database file it is (exit 2), not as an internal error.
 */
export function openStore(path: string): SqliteRunStore {
  const text = process.env.QUORUM_DB_KEY;
  const key = text ? parseEncryptionKey(text, { file: "environment", field: "QUORUM_DB_KEY" }) : undefined;
  const store = new SqliteRunStore(path);
  if (key) encryptCheckpoints(store.checkpointer, key);
  const serde = store.checkpointer.serde;
  store.checkpointer.serde = {
    dumpsTyped: (data) => serde.dumpsTyped(data),
    loadsTyped: async (type, data) => {
      try {
        return await serde.loadsTyped(type, data);
      } catch (error) {
        // The key's refusals (wrong key, not encrypted) are about this file and the variable.
        if (isQuorumError(error)) {
          if (error.file !== undefined) throw error;
          throw new UserInputError(error.message, {
            file: path,
            field: "QUORUM_DB_KEY",
            ...(error.hint !== undefined ? { hint: error.hint } : {}),
            cause: error,
          });
        }
        throw new UserInputError("the database file is damaged: a checkpoint cannot be read back", {
          file: path,
          field: "--db",
          hint: "restore the file from a copy, or start the run again with a new --db",
          cause: error,
        });
      }
    },
  };
  return store;
}
