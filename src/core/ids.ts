import { customAlphabet } from "nanoid";

/** Ids are short, URL-safe and carry a readable prefix so a log line says what it points at. */
const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
const random = customAlphabet(alphabet, 12);

export type ItemId = string;
export type RunId = string;

export function newId(prefix: string): string {
  return `${prefix}_${random()}`;
}

export function newRunId(): RunId {
  return newId("run");
}

/**
 * Deterministic ids for scripted runs: the same scenario gives the same ids, so run files
 * diff cleanly and tests can assert exact provenance.
 */
export class SequentialIds {
  private counter = 0;
  constructor(private readonly prefix: string) {}
  next(kind: string): string {
    this.counter += 1;
    return `${this.prefix}-${kind}-${this.counter}`;
  }
}
