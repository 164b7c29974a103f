// Mutations of valid inputs for the loader fuzz suite: structural edits of a parsed document and
// byte-level edits of its text, all driven by fast-check so that runs are seeded and shrinkable.
import fc from "fast-check";
import { QuorumError } from "../../src/core/index.js";

type Path = Array<string | number>;

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Every path in a JSON-like value, the root included, in a stable order. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...pathsOf(v, [...prefix, i]));
  } else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

function getAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const p of path) v = (v as Record<string | number, unknown>)[p];
  return v;
}

const OPS = ["delete", "replace", "null", "wrong-type", "empty", "duplicate", "extreme", "rename"] as const;

/** Values a careless or hostile file may hold where something else was expected. */
const EXTREMES: unknown[] = [
  -1,
  0,
  1e308,
  -0,
  Number.MAX_SAFE_INTEGER + 2,
  0.5,
  "",
  " ",
  "\u0000",
  "x".repeat(5000),
  "__proto__",
  "constructor",
  "{{0.__proto__}}",
  "*",
  true,
  [],
  {},
  [[[]]],
  { __proto__: null },
];

function wrongType(v: unknown): unknown {
  if (typeof v === "string") return v.length;
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "yes" : 0;
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x]));
  if (v !== null && typeof v === "object") return Object.values(v);
  return "null";
}

function emptyOf(v: unknown): unknown {
  if (typeof v === "string") return "";
  if (typeof v === "number") return 0;
  if (Array.isArray(v)) return [];
  if (v !== null && typeof v === "object") return {};
  return v;
}

export interface Mutation {
  at: number;
  op: number;
  value: unknown;
}

/** Applies one mutation in place (on a clone made by the caller) and returns the new root. */
export function applyMutation(root: unknown, m: Mutation): unknown {
  const paths = pathsOf(root);
  const path = paths[m.at % paths.length] as Path;
  const op = OPS[m.op % OPS.length] as (typeof OPS)[number];
  const current = getAt(root, path);
  let next: unknown;
  switch (op) {
    case "delete":
    case "rename":
      next = undefined;
      break;
    case "replace":
      next = m.value;
      break;
    case "null":
      next = null;
      break;
    case "wrong-type":
      next = wrongType(current);
      break;
    case "empty":
      next = emptyOf(current);
      break;
    case "duplicate":
      next = Array.isArray(current) ? [...current, ...current] : [current, current];
      break;
    case "extreme":
      next = EXTREMES[m.at % EXTREMES.length];
      break;
  }
  if (path.length === 0) return next === undefined ? m.value : next;
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1] as string | number;
  if (Array.isArray(parent) && typeof key === "number") {
    if (next === undefined) parent.splice(key, 1);
    else parent[key] = next;
  } else {
    const obj = parent as Record<string, unknown>;
    if (op === "rename") {
      obj[`${String(key)}_`] = obj[key as string];
      delete obj[key as string];
    } else if (next === undefined) delete obj[key as string];
    else obj[key as string] = next;
  }
  return root;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.nat(),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...EXTREMES)),
});

/** One to four structural mutations of a valid document. */
export function mutatedDoc(seed: unknown): fc.Arbitrary<unknown> {
  return fc
    .array(mutationArb, { minLength: 1, maxLength: 4 })
    .map((ms) => ms.reduce((doc, m) => applyMutation(doc, m), clone(seed)));
}

/** Characters that matter to YAML and JSON syntax, to hit parser edges more often than noise would. */
const SYNTAX = fc.constantFrom(
  ":",
  "-",
  "- ",
  "\t",
  "\n",
  "  ",
  "[",
  "]",
  "{",
  "}",
  '"',
  "'",
  "#",
  "&a ",
  "*a",
  "!!binary ",
  "!!js/function ",
  "? ",
  "|",
  ">",
  ",",
  "\\",
  "\u0000",
  "\uFEFF",
  "<<: *a",
  "%YAML 1.1\n",
  "---\n",
  "...\n",
);

export interface TextEdit {
  at: number;
  del: number;
  insert: string;
}

const editArb: fc.Arbitrary<TextEdit> = fc.record({
  at: fc.nat(),
  del: fc.nat({ max: 24 }),
  insert: fc.oneof(SYNTAX, fc.string({ maxLength: 8 }), fc.constant("")),
});

export function applyEdit(text: string, e: TextEdit): string {
  const at = text.length === 0 ? 0 : e.at % (text.length + 1);
  return text.slice(0, at) + e.insert + text.slice(at + e.del);
}

/** One to five byte-level edits of a valid file's text. */
export function mutatedText(seed: string): fc.Arbitrary<string> {
  return fc.array(editArb, { minLength: 1, maxLength: 5 }).map((es) => es.reduce(applyEdit, seed));
}

/** Random garbage a user might point the tool at: any text, any JSON. */
export const randomText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.array(SYNTAX, { maxLength: 30 }).map((a) => a.join("")),
);
export const randomValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.anything({ maxDepth: 2 }),
);

export interface Outcome {
  ok: number;
  refused: number;
}

/**
 * Runs a loader on one input: it must return, or throw a QuorumError that names the file and a
 * field (or, for syntax errors, a line). Anything else fails the property with the raw error's
 * name, so a shrunk counterexample says which loader crashed on what.
 */
export function expectCleanOutcome(outcome: Outcome, file: string, run: () => unknown): void {
  try {
    run();
    outcome.ok += 1;
  } catch (error) {
    checkRefusal(outcome, file, error);
  }
}

export async function expectCleanOutcomeAsync(
  outcome: Outcome,
  file: string,
  run: () => Promise<unknown>,
): Promise<void> {
  try {
    await run();
    outcome.ok += 1;
  } catch (error) {
    checkRefusal(outcome, file, error);
  }
}

/**
 * Loader bugs this suite found and reported, each reproduced by an `it.fails` test in
 * fuzz-loaders.test.ts. Inputs that hit one are counted here instead of failing the whole run, so
 * the suite keeps guarding everything else; once a bug is fixed, its `it.fails` test fails and
 * the entry goes.
 */
export const KNOWN_BUGS: Array<{ id: string; matches: (e: QuorumError) => boolean }> = [
  {
    // compositional loadScenarioFile: JSON.parse's message (which quotes the file's text, newlines
    // included) is passed through, with no field: a multi-line error and no location.
    id: "compositional-json-syntax-error",
    matches: (e) => e.message.startsWith("not valid JSON: ") && e.field === undefined,
  },
  {
    // compositional loadScenarioFile: same for YAML (the yaml library's code frame spans lines).
    id: "compositional-yaml-syntax-error",
    matches: (e) => e.message.startsWith("not valid YAML: ") && e.field === undefined,
  },
];
export const knownBugHits = new Map<string, number>();

function checkRefusal(outcome: Outcome, file: string, error: unknown): void {
  if (error instanceof QuorumError) {
    const known = KNOWN_BUGS.find((b) => b.matches(error));
    if (known) {
      knownBugHits.set(known.id, (knownBugHits.get(known.id) ?? 0) + 1);
      outcome.refused += 1;
      return;
    }
  }
  if (!(error instanceof QuorumError)) {
    const e = error as Error;
    throw new Error(
      `raw ${e?.constructor?.name ?? typeof error} escaped the loader: ${e?.message ?? String(error)}`,
    );
  }
  if (error.code !== "user_input")
    throw new Error(`expected a user_input error, got ${error.code}: ${error.message}`);
  if (error.file !== file) throw new Error(`error names file ${String(error.file)}, expected ${file}`);
  const located = (error.field !== undefined && error.field !== "") || /\bline \d+/.test(error.message);
  if (!located) throw new Error(`error has no field or line: ${error.toLine()}`);
  if (error.toLine().includes("\n"))
    throw new Error(`error is not one line: ${JSON.stringify(error.toLine())}`);
  outcome.refused += 1;
}
