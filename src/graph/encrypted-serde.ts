import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { UserInputError } from "../core/index.js";

type Serializer = BaseCheckpointSaver["serde"];

/** Type tag prefix of an encrypted value; the inner serializer's tag follows it. */
export const ENCRYPTED_TYPE_PREFIX = "aes256gcm:";
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_HINT = "a 32-byte key as 64 hex characters or base64, e.g. `openssl rand -hex 32`";

/**
 * Encryption at rest for checkpoints: wraps a LangGraph serializer so every checkpoint, its
 * metadata and every pending write is stored as AES-256-GCM ciphertext under a user key (a fresh
 * 96-bit nonce per value; the inner type tag is authenticated, so a value cannot be relabelled).
 * With a key, unencrypted or tampered values are refused rather than read.
 *
 * What it does not cover: thread ids, checkpoint ids and the columns LangGraph keeps beside the
 * values stay in clear, and a saver's `list({ filter })` cannot match on encrypted metadata.
 */
export class EncryptedSerializer implements Serializer {
  private readonly key: Buffer;

  constructor(
    private readonly inner: Serializer,
    key: Uint8Array,
  ) {
    if (key.length !== 32) {
      throw new UserInputError(`an encryption key must be 32 bytes (got ${key.length})`, {
        field: "key",
        hint: KEY_HINT,
      });
    }
    this.key = Buffer.from(key);
  }

  async dumpsTyped(data: unknown): Promise<[string, Uint8Array]> {
    const [type, plain] = await this.inner.dumpsTyped(data);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(type, "utf8"));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const out = Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
    return [`${ENCRYPTED_TYPE_PREFIX}${type}`, new Uint8Array(out.buffer, out.byteOffset, out.length)];
  }

  async loadsTyped(type: string, data: Uint8Array | string): Promise<unknown> {
    if (!type.startsWith(ENCRYPTED_TYPE_PREFIX)) {
      throw new UserInputError("the checkpoint store holds a value that is not encrypted", {
        field: "key",
        hint: "it was written without a key: open it without one, or start a new database",
      });
    }
    const innerType = type.slice(ENCRYPTED_TYPE_PREFIX.length);
    const bytes = typeof data === "string" ? Buffer.from(data, "binary") : Buffer.from(data);
    if (bytes.length < 1 + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION) throw undecryptable();
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const tag = bytes.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", this.key, iv);
    decipher.setAAD(Buffer.from(innerType, "utf8"));
    decipher.setAuthTag(tag);
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw undecryptable();
    }
    return this.inner.loadsTyped(innerType, new Uint8Array(plain.buffer, plain.byteOffset, plain.length));
  }
}

function undecryptable(): UserInputError {
  return new UserInputError("cannot decrypt a checkpoint: wrong key, or the value was altered", {
    field: "key",
    hint: "use the key the run was started with",
  });
}

/** A key from text: 64 hex characters, or base64 of 32 bytes. */
export function parseEncryptionKey(
  text: string,
  where: { field: string; file?: string } = { field: "key" },
): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, "hex")
    : Buffer.from(trimmed, "base64");
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(trimmed) && key.toString("base64") !== trimmed)) {
    throw new UserInputError("not a 32-byte key", { ...where, hint: KEY_HINT });
  }
  return key;
}

/** Makes a checkpointer encrypt what it stores from now on (it keeps its own serializer inside). */
export function encryptCheckpoints<T extends BaseCheckpointSaver>(saver: T, key: Uint8Array): T {
  saver.serde = new EncryptedSerializer(saver.serde, key);
  return saver;
}
