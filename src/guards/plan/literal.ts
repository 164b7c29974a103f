/**
 * A forgiving reader for the argument literals agents write: JSON, Python dict/list literals
 * (single quotes, True/False/None), and bare tokens such as unquoted hex addresses. Agent logs mix
 * all of these, and a strict JSON.parse would drop half the arguments the rules need to see.
 */
export type Literal = string | number | boolean | null | Literal[] | { [key: string]: Literal };

export class LiteralError extends Error {}

export function parseLiteral(text: string): Literal {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed) as Literal;
  } catch {
    // fall through to the forgiving reader
  }
  const reader = new Reader(trimmed);
  const value = reader.value();
  reader.skipSpace();
  if (!reader.done()) throw new LiteralError(`unexpected text at ${reader.pos}`);
  return value;
}

/** Reads `k=v, k2: v2, 'k3': v3` (call arguments); positional values get keys `arg0`, `arg1`... */
export function parseKeywordArgs(text: string): Record<string, Literal> {
  const reader = new Reader(text.trim());
  const out: Record<string, Literal> = {};
  let positional = 0;
  reader.skipSpace();
  while (!reader.done()) {
    const start = reader.pos;
    let key: string | undefined;
    const first = reader.value();
    reader.skipSpace();
    const c = reader.peek();
    if ((c === "=" || c === ":") && typeof first === "string") {
      reader.pos += 1;
      key = first;
    }
    const value = key === undefined ? first : reader.value();
    out[key ?? `arg${positional++}`] = value;
    reader.skipSpace();
    if (reader.peek() === ",") reader.pos += 1;
    else if (!reader.done()) throw new LiteralError(`unexpected text at ${reader.pos}`);
    reader.skipSpace();
    if (reader.pos === start) throw new LiteralError("no progress");
  }
  return out;
}

class Reader {
  pos = 0;
  constructor(private readonly s: string) {}

  done(): boolean {
    return this.pos >= this.s.length;
  }

  peek(): string {
    return this.s[this.pos] ?? "";
  }

  skipSpace(): void {
    while (!this.done() && /\s/.test(this.peek())) this.pos += 1;
  }

  value(): Literal {
    this.skipSpace();
    const c = this.peek();
    if (c === "{") return this.object();
    if (c === "[" || c === "(") return this.list(c === "[" ? "]" : ")");
    if (c === '"' || c === "'") return this.string(c);
    return this.bare();
  }

  private object(): Literal {
    this.pos += 1;
    const out: Record<string, Literal> = {};
    this.skipSpace();
    while (this.peek() !== "}") {
      if (this.done()) throw new LiteralError("unterminated object");
      const key = this.value();
      this.skipSpace();
      if (this.peek() !== ":") throw new LiteralError(`expected ':' at ${this.pos}`);
      this.pos += 1;
      out[String(key)] = this.value();
      this.skipSpace();
      if (this.peek() === ",") this.pos += 1;
      this.skipSpace();
    }
    this.pos += 1;
    return out;
  }

  private list(close: string): Literal {
    this.pos += 1;
    const out: Literal[] = [];
    this.skipSpace();
    while (this.peek() !== close) {
      if (this.done()) throw new LiteralError("unterminated list");
      out.push(this.value());
      this.skipSpace();
      if (this.peek() === ",") this.pos += 1;
      this.skipSpace();
    }
    this.pos += 1;
    return out;
  }

  private string(quote: string): string {
    this.pos += 1;
    let out = "";
    while (!this.done()) {
      const c = this.peek();
      if (c === "\\") {
        const n = this.s[this.pos + 1] ?? "";
        out += n === "n" ? "\n" : n === "t" ? "\t" : n;
        this.pos += 2;
        continue;
      }
      if (c === quote) {
        // A quote followed by a letter is an apostrophe inside the text (`my friend's`), not the end.
        const next = this.s[this.pos + 1] ?? "";
        if (/[A-Za-z]/.test(next)) {
          out += c;
          this.pos += 1;
          continue;
        }
        this.pos += 1;
        return out;
      }
      out += c;
      this.pos += 1;
    }
    throw new LiteralError("unterminated string");
  }

  private bare(): Literal {
    const start = this.pos;
    while (!this.done() && !/[,:=}\])\s]/.test(this.peek())) this.pos += 1;
    const token = this.s.slice(start, this.pos);
    if (token === "") throw new LiteralError(`unexpected '${this.peek()}' at ${this.pos}`);
    if (token === "True" || token === "true") return true;
    if (token === "False" || token === "false") return false;
    if (token === "None" || token === "null") return null;
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token)) return Number(token);
    return token;
  }
}
