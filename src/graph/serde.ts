import { type BaseCheckpointSaver, MemorySaver, Send } from "@langchain/langgraph";

type Serializer = BaseCheckpointSaver["serde"];

/** LangGraph's own serializer (the one every checkpointer uses unless told otherwise). */
const standard: Serializer = new MemorySaver().serde;

const UNDEFINED = Object.freeze({ lc: 2, type: "undefined" });
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Thrown inside JSON.stringify's replacer to hand a value the fast path does not cover back. */
class NotPlain extends Error {}
const notPlain = new NotPlain();

/**
 * The replacer of LangGraph's serializer for the values the fast path handles: plain objects,
 * arrays, primitives, `undefined` and `Send`. Anything else (class instances, Maps, errors, ...)
 * aborts the fast path, so the standard serializer writes it.
 */
function replace(_key: string, value: unknown): unknown {
  if (value === undefined) return UNDEFINED;
  if (typeof value !== "object" || value === null) return value;
  const proto = Object.getPrototypeOf(value);
  const plain = proto === Object.prototype || proto === null || Array.isArray(value);
  const send = value as { lg_name?: unknown; node?: unknown; args?: unknown; timeout?: unknown };
  // As the standard replacer does: a Send, or any plain value named like one, is written as a Send.
  if (send.lg_name === "Send" && (plain || value instanceof Send))
    return {
      node: send.node,
      args: send.args,
      ...(send.timeout !== undefined ? { timeout: send.timeout } : {}),
    };
  if (plain) return value;
  throw notPlain;
}

/**
 * Whether JSON.stringify without a replacer writes the same as with the standard one: only
 * primitives, plain objects and arrays, no `undefined`, nothing named Send, no toJSON, and no
 * cycles (an implausible depth counts as one).
 */
function simple(value: unknown, depth: number): boolean {
  if (value === undefined) return false;
  if (typeof value !== "object" || value === null) return true;
  if (depth > 200) return false;
  if (Array.isArray(value)) {
    if ((value as { lg_name?: unknown }).lg_name === "Send") return false;
    for (let i = 0; i < value.length; i++) if (!simple(value[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const o = value as Record<string, unknown>;
  if (o.lg_name === "Send" || o.toJSON !== undefined) return false;
  for (const k of Object.keys(o)) if (!simple(o[k], depth + 1)) return false;
  return true;
}

/** What a parsed value needs: nothing (0), only its `undefined` records revived (1), the reviver (2). */
function scan(value: unknown): 0 | 1 | 2 {
  if (typeof value !== "object" || value === null) return 0;
  let found: 0 | 1 | 2 = 0;
  if (Array.isArray(value)) {
    for (const v of value) {
      const r = scan(v);
      if (r === 2) return 2;
      if (r === 1) found = 1;
    }
    return found;
  }
  const o = value as Record<string, unknown>;
  if (o.lc === 1 || o.lc === 2) {
    if (!(o.lc === 2 && o.type === "undefined")) return 2;
    found = 1;
  }
  for (const k in o) {
    const r = scan(o[k]);
    if (r === 2) return 2;
    if (r === 1) found = 1;
  }
  return found;
}

/** The standard reviver's result for data holding no record but `undefined` ones, synchronously. */
function revive(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(revive);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = revive(v);
  if (out.lc === 2 && out.type === "undefined") return undefined;
  return out;
}

/**
 * A checkpoint serializer that writes exactly what LangGraph's JSON serializer writes (same bytes,
 * so either reads the other's checkpoints), faster for the plain data the team's state is made of:
 * one JSON.stringify with a small replacer instead of a cycle-detection pass plus the general
 * replacer, and a synchronous reviver on load. Values it does not cover (cycles, class instances,
 * serialized LangChain objects) go to the standard serializer unchanged.
 */
export class PlainJsonSerializer implements Serializer {
  async dumpsTyped(data: unknown): Promise<[string, Uint8Array]> {
    if (data instanceof Uint8Array) return standard.dumpsTyped(data);
    let text: string;
    try {
      text = simple(data, 0) ? JSON.stringify(data) : JSON.stringify(data, replace);
    } catch {
      // A value the fast path does not cover, a cycle, or a value JSON cannot hold.
      return standard.dumpsTyped(data);
    }
    return ["json", encoder.encode(text)];
  }

  async loadsTyped(type: string, data: Uint8Array | string): Promise<unknown> {
    if (type !== "json") return standard.loadsTyped(type, data);
    const text = typeof data === "string" ? data : decoder.decode(data);
    const parsed: unknown = JSON.parse(text);
    // A record is an object with an "lc" key: text without one holds none, and needs no walk.
    const needs = text.includes('"lc"') ? scan(parsed) : 0;
    if (needs === 2) return standard.loadsTyped(type, text);
    // Most values hold no record at all: the parsed value is the result, uncopied.
    return needs === 1 ? revive(parsed) : parsed;
  }
}

/** An in-memory checkpointer with the fast serializer (the team's default). */
export function createMemoryCheckpointer(): MemorySaver {
  return new MemorySaver(new PlainJsonSerializer());
}
