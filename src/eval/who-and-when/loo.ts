import { DEFAULT_LEDGER_READING, type LedgerReading } from "../../trace/rootcause.js";
import type { LabelledRecord } from "./data.js";
import { attributeIdg } from "./methods.js";

/** Every combination of the ledger-reading choices; the first is the default. */
export function ledgerReadings(): LedgerReading[] {
  const keys = Object.keys(DEFAULT_LEDGER_READING) as Array<keyof LedgerReading>;
  const out: LedgerReading[] = [];
  for (let mask = 0; mask < 1 << keys.length; mask++) {
    const r = { ...DEFAULT_LEDGER_READING };
    keys.forEach((k, i) => {
      if (mask & (1 << i)) r[k] = !r[k];
    });
    out.push(r);
  }
  return out;
}

export interface LeaveOneOut {
  n: number;
  agentAccuracy: number;
  stepAccuracy: number;
  /** How often each reading was the one chosen on the other records (by its index in `readings`). */
  chosen: number[];
  readings: LedgerReading[];
}

/**
 * Leave-one-out over the ledger-reading choices: for each record, the reading with the most
 * agent + step hits on the other records (the default on ties) is the one scored on it. What the
 * choice was fitted on never includes the record it is scored on.
 */
export function leaveOneOut(records: ReadonlyArray<LabelledRecord>, withGroundTruth: boolean): LeaveOneOut {
  const readings = ledgerReadings();
  // hits[v][i] = agent hit + step hit of reading v on record i
  const agentHit = readings.map(() => new Array<number>(records.length).fill(0));
  const stepHit = readings.map(() => new Array<number>(records.length).fill(0));
  readings.forEach((reading, v) => {
    records.forEach((r, i) => {
      const p = attributeIdg(r.input, { withGroundTruth, seed: 0, ledgerReading: reading });
      (agentHit[v] as number[])[i] = p.agent === r.mistakeAgent ? 1 : 0;
      (stepHit[v] as number[])[i] = p.step === r.mistakeStep ? 1 : 0;
    });
  });
  const total = (v: number, except: number) =>
    records.reduce(
      (sum, _r, i) => (i === except ? sum : sum + (agentHit[v]?.[i] ?? 0) + (stepHit[v]?.[i] ?? 0)),
      0,
    );
  const chosen = readings.map(() => 0);
  let agents = 0;
  let steps = 0;
  records.forEach((_r, i) => {
    let best = 0;
    for (let v = 1; v < readings.length; v++) if (total(v, i) > total(best, i)) best = v;
    chosen[best] = (chosen[best] ?? 0) + 1;
    agents += agentHit[best]?.[i] ?? 0;
    steps += stepHit[best]?.[i] ?? 0;
  });
  const pct = (k: number) => (records.length === 0 ? 0 : Math.round((1000 * k) / records.length) / 10);
  return { n: records.length, agentAccuracy: pct(agents), stepAccuracy: pct(steps), chosen, readings };
}
