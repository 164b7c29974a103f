import { readFile } from "node:fs/promises";
import { fromZodError, RunFileSchema, UserInputError } from "../core/index.js";
import { spansOfRunFile, toOtlpJson } from "../trace/index.js";

const TIMEOUT_MS = 10_000;

/**
 * Where spans go: a collector's base URL (`http://host:4318`) gets OTLP/HTTP's `/v1/traces`; a URL
 * with a path of its own is used as it is.
 */
export function otlpEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserInputError(`not a URL: ${raw}`, { field: "--otlp", hint: "e.g. http://127.0.0.1:4318" });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UserInputError(`OTLP/HTTP needs an http or https URL, not ${url.protocol}`, {
      field: "--otlp",
    });
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/v1/traces";
  return url.toString();
}

/** A saved run file, checked against its schema (the file and field named when it is not one). */
export async function loadRunFile(file: string) {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UserInputError("cannot read the run file", { file, cause: error });
  }
  const parsed = RunFileSchema.safeParse(raw);
  if (!parsed.success)
    throw fromZodError(parsed.error, { file, hint: "expected a quorum run file (runs/<runId>.json)" });
  return parsed.data;
}

/** Sends a saved run's spans to an OTLP/HTTP collector as JSON; returns how many spans went. */
export async function sendRunToOtlp(
  file: string,
  rawUrl: string,
): Promise<{ spans: number; endpoint: string }> {
  const endpoint = otlpEndpoint(rawUrl);
  const run = await loadRunFile(file);
  const spans = spansOfRunFile(run);
  const body = JSON.stringify(toOtlpJson(spans, { "service.name": "quorum", "quorum.run.file": file }));
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new UserInputError(`cannot reach the OTLP endpoint ${endpoint}`, {
      field: "--otlp",
      hint: "is the collector running? OTLP/HTTP listens on port 4318 by default",
      cause: error,
    });
  }
  const text = await response.text();
  if (!response.ok)
    throw new UserInputError(
      `the OTLP endpoint ${endpoint} answered ${response.status}: ${text.slice(0, 200)}`,
      {
        field: "--otlp",
        hint: "check the URL points at a collector's OTLP/HTTP traces receiver",
      },
    );
  return { spans: spans.length, endpoint };
}
