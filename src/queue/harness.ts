/**
 * What the queue needs from an evaluation harness. The queue moves units of work and their
 * results; the harness alone knows what a unit is, how to run one and how results make a report.
 */

/** One unit of work: its id is unique in its batch, its payload is plain JSON. */
export interface BatchUnit {
  id: string;
  payload: unknown;
}

export interface UnitContext {
  env: NodeJS.ProcessEnv;
  /** The worker's own model endpoint, over the one the batch was set up with. */
  baseUrl?: string | undefined;
}

/** Runs the units of one batch; built once per batch and worker (it may hold a model client). */
export type UnitRunner = (unit: BatchUnit) => Promise<unknown>;

export interface BatchHarness {
  /** The `quorum eval <name>` this harness belongs to. */
  name: string;
  prepare(spec: unknown, context: UnitContext): UnitRunner;
  /** The report of a batch: the results of its done units, in unit order. */
  report(spec: unknown, results: unknown[]): unknown;
  /** The report as text for a terminal. */
  format(report: unknown, table: (header: string[], rows: string[][]) => string): string;
}
