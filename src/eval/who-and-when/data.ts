import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { UserInputError } from "../../core/index.js";
import { parseWhoAndWhen } from "../../trace/importers/who-and-when.js";
import type { TraceInput } from "../../trace/types.js";

export interface LabelledRecord {
  file: string;
  split: "algorithm-generated" | "hand-crafted";
  input: TraceInput;
  mistakeAgent: string;
  mistakeStep: number;
}

/** Loads every labelled Who&When record under `dir` (or one file); the split comes from folder or shape. */
export async function loadWhoAndWhen(dir: string): Promise<LabelledRecord[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dir);
  } catch (error) {
    throw new UserInputError(`data folder not found: ${dir}`, {
      file: dir,
      hint: "pass --data <a folder of Who&When JSON records, or one record>, e.g. examples/data/who-and-when",
      cause: error,
    });
  }
  const files = info.isDirectory() ? await listJson(dir) : [dir];
  if (files.length === 0) {
    throw new UserInputError("no .json records found", {
      file: dir,
      hint: "expected Who&When records (*.json)",
    });
  }
  const out: LabelledRecord[] = [];
  for (const file of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      throw new UserInputError(`not valid JSON: ${(error as Error).message}`, {
        file,
        field: "(root)",
        cause: error,
      });
    }
    const rel = info.isDirectory() ? relative(dir, file) : file;
    const input = parseWhoAndWhen(raw, file, rel);
    if (!input.labels) {
      throw new UserInputError("record has no mistake_agent / mistake_step labels", {
        file,
        field: "mistake_step",
        hint: "evaluation needs labelled records; `quorum trace` works on unlabelled ones",
      });
    }
    out.push({
      file,
      split: input.split ?? "algorithm-generated",
      input,
      mistakeAgent: input.labels.mistakeAgent,
      mistakeStep: input.labels.mistakeStep,
    });
  }
  return out;
}

async function listJson(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && e.name.endsWith(".json")) out.push(p);
    }
  };
  await walk(dir);
  return out;
}
