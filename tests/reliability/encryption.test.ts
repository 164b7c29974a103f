// Issue 21 point 8 (encryption at rest): checkpoints written through the AES-256-GCM serializer
// hold no plain text, read back with the key, and are refused with a wrong key, when altered, or
// when they were never encrypted.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import {
  ENCRYPTED_TYPE_PREFIX,
  EncryptedSerializer,
  encryptCheckpoints,
  PlainJsonSerializer,
  parseEncryptionKey,
  SqliteRunStore,
} from "../../src/graph/index.js";
import { smallTeam } from "../graph/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "quorum-enc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TASK = "combine CANARY-TASK-7731 with the rest";

async function runIn(db: string, key: Buffer | undefined, threadId: string) {
  const store = new SqliteRunStore(db);
  if (key) encryptCheckpoints(store.checkpointer, key);
  try {
    const team = smallTeam({ checkpointer: store.checkpointer, journal: store.journal });
    return await team.run(TASK, { threadId });
  } finally {
    store.close();
  }
}

async function stateIn(db: string, key: Buffer | undefined, threadId: string) {
  const store = new SqliteRunStore(db);
  if (key) encryptCheckpoints(store.checkpointer, key);
  try {
    return await smallTeam({ checkpointer: store.checkpointer, journal: store.journal }).state(threadId);
  } finally {
    store.close();
  }
}

function rawCheckpoints(db: string): Buffer {
  const sqlite = new Database(db, { readonly: true });
  try {
    const rows = sqlite.prepare("SELECT type, checkpoint, metadata FROM quorum_checkpoints").all() as Array<{
      type: string;
      checkpoint: Buffer;
      metadata: Buffer;
    }>;
    const blobs = sqlite
      .prepare("SELECT type, blob FROM quorum_checkpoint_blobs WHERE blob IS NOT NULL")
      .all() as Array<{ type: string; blob: Buffer }>;
    const writes = sqlite.prepare("SELECT type, blob FROM quorum_checkpoint_writes").all() as Array<{
      type: string;
      blob: Buffer;
    }>;
    expect(rows.length).toBeGreaterThan(0);
    expect(blobs.length).toBeGreaterThan(0);
    for (const r of [...rows, ...blobs, ...writes])
      expect(r.type.startsWith(ENCRYPTED_TYPE_PREFIX)).toBe(true);
    return Buffer.concat([
      ...rows.flatMap((r) => [r.checkpoint, r.metadata]),
      ...blobs.map((b) => b.blob),
      ...writes.map((w) => w.blob),
    ]);
  } finally {
    sqlite.close();
  }
}

describe("encrypted checkpoints", () => {
  const key = randomBytes(32);

  it("hold no plain text and read back with the key", async () => {
    const db = join(dir, "enc.db");
    const result = await runIn(db, key, "e1");
    expect(result.status).toBe("finished");
    const raw = rawCheckpoints(db);
    expect(raw.includes(Buffer.from("CANARY-TASK-7731"))).toBe(false);
    expect(raw.includes(Buffer.from("thread"))).toBe(false);
    const state = await stateIn(db, key, "e1");
    expect(state?.task).toBe(TASK);
    expect(state?.finalAnswer).toBe(result.finalAnswer);
  });

  it("a wrong key, an altered value, or a value never encrypted is refused", async () => {
    const db = join(dir, "enc2.db");
    await runIn(db, key, "e2");
    await expect(stateIn(db, randomBytes(32), "e2")).rejects.toThrow(/cannot decrypt a checkpoint/);
    const plain = join(dir, "plain.db");
    await runIn(plain, undefined, "p1");
    await expect(stateIn(plain, key, "p1")).rejects.toThrow(/not encrypted/);
    const serde = new EncryptedSerializer(new PlainJsonSerializer(), key);
    const [type, bytes] = await serde.dumpsTyped({ secret: "s3cr3t" });
    expect(await serde.loadsTyped(type, bytes)).toEqual({ secret: "s3cr3t" });
    const altered = Uint8Array.from(bytes);
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1;
    await expect(serde.loadsTyped(type, altered)).rejects.toThrow(/cannot decrypt/);
    // The inner type is authenticated: relabelling a value does not get it read.
    await expect(serde.loadsTyped(`${ENCRYPTED_TYPE_PREFIX}bytes`, bytes)).rejects.toThrow(/cannot decrypt/);
  });

  it("keys are 32 bytes, given as hex or base64", () => {
    const hex = key.toString("hex");
    expect(parseEncryptionKey(hex).equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString("base64")).equals(key)).toBe(true);
    for (const bad of ["", "abc", hex.slice(2), "not base64 at all!!"]) {
      expect(() => parseEncryptionKey(bad, { field: "QUORUM_DB_KEY" })).toThrow(/not a 32-byte key/);
    }
    expect(() => new EncryptedSerializer(new PlainJsonSerializer(), randomBytes(16))).toThrow(/32 bytes/);
  });
});
