import { UserInputError } from "../../core/index.js";
import type { TableRef } from "../../memory/index.js";

/** Which agents hold which tables: what table names in free text are resolved against. */
export type TableOwners = ReadonlyMap<string, ReadonlyArray<string>>;

export function ownersOf(tables: Record<string, Record<string, unknown>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [agent, own] of Object.entries(tables)) {
    for (const table of Object.keys(own)) {
      const list = out.get(table);
      if (list) list.push(agent);
      else out.set(table, [agent]);
    }
  }
  return out;
}

/** Curly quotes and backticks, as generated text writes them, become plain ones. */
export function normaliseQuotes(s: string): string {
  return s.replace(/[\u2018\u2019\u201b`]/g, "'").replace(/[\u201c\u201d]/g, '"');
}

const HINT =
  "write it as \"A combination of <table>, <table>, and <Owner>'s '<table>' is sensitive and no single person should have access to all of these.\"";

/**
 * Parses L from the published `defense` sentence: "A combination of t1, t2, and t3 is sensitive
 * and no single person should have access to all of these." ("combining ... is sensitive" too).
 * Names may be bare, quoted, `Owner's 'table'` or `table (Owner)`; each must name a table of the
 * scenario. Reasoning traces (`<think>...`) are
 * dropped first; one left open has no final sentence, which is an error like any other text the
 * parser cannot read.
 */
export function parseDefense(sentence: string, owners: TableOwners, where: { file: string }): TableRef[] {
  const fail = (message: string, hint = HINT): never => {
    throw new UserInputError(message, { file: where.file, field: "defense", hint });
  };
  let text = normaliseQuotes(sentence).replace(/<think>[\s\S]*?<\/think>/gi, " ");
  const open = text.search(/<think>/i);
  if (open >= 0) {
    text = text.slice(0, open);
    if (text.trim() === "") {
      fail(
        "the defense field holds an unfinished reasoning trace and no defense sentence",
        `regenerate the scenario's defense line; ${HINT}`,
      );
    }
  }
  // The last sentence naming a combination wins: generated text sometimes restates an example first.
  const matches = [
    ...text.matchAll(
      /(?:combination of|combining)\s+([\s\S]+?)\s+(?:together\s+)?(?:is|are|would be|could be)\s+(?:considered\s+|highly\s+|deemed\s+)?sensitive/gi,
    ),
  ];
  const list = matches.at(-1)?.[1];
  if (list === undefined) fail('cannot find "combination of ... is sensitive" in the defense sentence');
  const names = splitList(list as string);
  if (names.length === 0) fail("the defense sentence names no tables");
  const out: TableRef[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const ref = resolveName(name, owners, fail);
    const key = `${ref.owner}/${ref.table}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(ref);
    }
  }
  return out;
}

function splitList(list: string): string[] {
  return list
    .split(/,|\band\b|&/i)
    .map((s) => s.trim())
    .filter((s) => s !== "" && !/^the$/i.test(s));
}

function resolveName(raw: string, owners: TableOwners, fail: (m: string, hint?: string) => never): TableRef {
  const owned = /^(?:the\s+)?([A-Za-z][\w.-]*)'s\s+'?([\w.-]+)'?(?:\s+table)?$/i.exec(raw);
  if (owned) {
    const owner = owned[1] as string;
    const table = owned[2] as string;
    const holders = owners.get(table) ?? [];
    if (!holders.includes(owner)) {
      fail(
        `the defense names ${owner}'s '${table}', which ${owner} does not hold`,
        holders.length > 0 ? `'${table}' is held by ${holders.join(", ")}` : "check the table name",
      );
    }
    return { owner, table };
  }
  const paren =
    /^(?:the\s+)?'?([\w.-]+)'?(?:\s+table)?\s*\(\s*(?:from\s+|held by\s+)?([A-Za-z][\w.-]*?)(?:'s)?\s*\)$/i.exec(
      raw,
    );
  if (paren) return resolveName(`${paren[2]}'s '${paren[1]}'`, owners, fail);
  const bare = /^(?:the\s+)?'?([\w.-]+)'?(?:\s+table)?$/i.exec(raw);
  if (!bare) return fail(`cannot read "${raw}" as a table name in the defense sentence`);
  const table = bare[1] as string;
  const holders = owners.get(table) ?? [];
  if (holders.length === 0) {
    return fail(`the defense names '${table}', which no agent of the scenario holds`, "check the table name");
  }
  if (holders.length > 1) {
    return fail(
      `the defense names '${table}', which several agents hold (${holders.join(", ")})`,
      `name the owner: ${holders[0]}'s '${table}'`,
    );
  }
  return { owner: holders[0] as string, table };
}
