import { describe, expect, it } from "vitest";
import { buildIdg, findRootCause, parseWhoAndWhen } from "../../src/trace/index.js";
import { ask, ledger, page, stallHistory } from "./ledger-fixtures.js";

function trace(history: Array<[string, string]>) {
  const input = parseWhoAndWhen(
    {
      question: "How many lighthouses does the Corvel coast list?",
      history: history.map(([role, content]) => ({ role, content })),
    },
    "record.json",
  );
  return findRootCause(input, buildIdg(input));
}

describe("orchestrator ledger reading", () => {
  it("a stall blames the first action that left the agent on the same page, not the last symptom", () => {
    const report = trace(stallHistory());
    // the first action that changed nothing is at index 10 (the page had been reached at 7)
    expect(report.rootCause?.step).toBe(10);
    expect(report.rootCause?.agent).toBe("WebSurfer");
    expect(report.agents[0]?.agent).toBe("WebSurfer");
    expect(report.rootCause?.reasons.map((r) => r.signal)).toContain("first_stall");
    expect(report.rootCause?.claim).toContain("I clicked 'Region'");
    expect(report.rootCause?.claim).toContain("Select the northern region");
    // carried: the blamed action, the last action on the same page, the stalled ledger, the end
    expect(report.rootCause?.chain).toEqual(["s10", "s13", "s14", "s17"]);
  });

  it("a claimed answer blames the agent that first stated it, not the orchestrator that accepted it", () => {
    const report = trace([
      ["human", "How many lighthouses does the Corvel coast list?"],
      ["Orchestrator (thought)", "Initial plan: find the list, then count."],
      ...ask("Find the lighthouse list."),
      [
        "WebSurfer",
        page(
          "I clicked 'Lighthouses'.",
          "https://registry.example/lights",
          "Arden Point, Bell Rock, Cape Mora",
        ),
      ],
      ["Orchestrator (thought)", ledger({ next: "Assistant", ask: "Count the lighthouses listed." })],
      ["Orchestrator (-> Assistant)", "Count the lighthouses listed."],
      [
        "Assistant",
        "From the list, the coast has Arden Point and Cape Mora, so the Corvel coast lists 2 lighthouses.",
      ],
      ["Orchestrator (thought)", ledger({ next: "Assistant", ask: "", satisfied: true })],
      ["Orchestrator (thought)", "Request satisfied."],
      ["Orchestrator (termination condition)", "No agent selected.\nFINAL ANSWER: 2"],
    ]);
    expect(report.rootCause?.agent).toBe("Assistant");
    expect(report.rootCause?.step).toBe(7);
    expect(report.agents[0]?.agent).toBe("Assistant");
    expect(report.rootCause?.chain).toEqual(["s7", "s8", "s9", "s10"]);
  });

  it("a distinctive value of the answer blames whoever first stated it in its own words, not the page", () => {
    const report = trace([
      ["human", "Which lighthouse of the Corvel coast is oldest?"],
      ["Orchestrator (thought)", "Initial plan: find the list with dates."],
      ...ask("Find the lighthouses with their dates."),
      [
        "WebSurfer",
        page(
          "I clicked 'Lighthouses'.",
          "https://registry.example/lights",
          "Arden Point 1821, Bell Rock 1790",
        ),
      ],
      [
        "Orchestrator (thought)",
        ledger({ next: "WebSurfer", ask: "Confirm that Arden Point is the oldest." }),
      ],
      ["Orchestrator (-> WebSurfer)", "Confirm that Arden Point is the oldest."],
      ["WebSurfer", page("I scrolled down.", "https://registry.example/lights", "More entries")],
      ["Orchestrator (thought)", ledger({ next: "WebSurfer", ask: "", satisfied: true })],
      ["Orchestrator (thought)", "Request satisfied."],
      ["Orchestrator (termination condition)", "No agent selected.\nFINAL ANSWER: Arden Point"],
    ]);
    expect(report.rootCause?.agent).toBe("Orchestrator");
    expect(report.rootCause?.step).toBe(5);
    expect(report.rootCause?.claim).toContain("Arden Point");
  });

  it("an orchestrator that declares success on a page nobody read is blamed for its conclusion", () => {
    const report = trace([
      ["human", "How many lighthouses does the Corvel coast list?"],
      ["Orchestrator (thought)", "Initial plan: open the list."],
      ...ask("Open the lighthouse list."),
      [
        "WebSurfer",
        page(
          "I clicked 'Lighthouses'.",
          "https://registry.example/lights",
          "Arden Point, Bell Rock, Cape Mora",
        ),
      ],
      ["Orchestrator (thought)", ledger({ next: "WebSurfer", ask: "Count them.", satisfied: true })],
      ["Orchestrator (thought)", "Request satisfied."],
      ["Orchestrator (termination condition)", "No agent selected.\nFINAL ANSWER: 4"],
    ]);
    expect(report.rootCause?.agent).toBe("Orchestrator");
    expect(report.rootCause?.step).toBe(6);
    expect(report.rootCause?.reasons.map((r) => r.signal)).toContain("premature_conclusion");
  });

  it("a log without a ledger is left to the other passes", () => {
    const report = trace([
      ["human", "How many lighthouses does the Corvel coast list?"],
      ["Assistant", "I think it is 2."],
      ["Critic", "That looks right."],
    ]);
    expect(report.candidates.flatMap((c) => c.reasons.map((r) => r.signal))).not.toContain("first_stall");
    expect(report.candidates.flatMap((c) => c.reasons.map((r) => r.signal))).not.toContain("claim_origin");
  });
});

describe("explanations of a ledger reading", () => {
  it("text, JSON and HTML name the agent, the step, the claim and the chain", async () => {
    const {
      parseWhoAndWhen: parse,
      traceRun,
      toText,
      toJson,
      toHtml,
    } = await import("../../src/trace/index.js");
    const input = parse(
      {
        question: "How many lighthouses does the Corvel coast list?",
        history: [
          ["human", "How many lighthouses does the Corvel coast list?"],
          ["Orchestrator (thought)", "Initial plan: find the list, then count."],
          ...ask("Find the lighthouse list."),
          [
            "WebSurfer",
            page("I clicked 'Lighthouses'.", "https://registry.example/lights", "Arden Point, Bell Rock"),
          ],
          ["Orchestrator (thought)", ledger({ next: "Assistant", ask: "Count the lighthouses listed." })],
          ["Orchestrator (-> Assistant)", "Count the lighthouses listed."],
          ["Assistant", "The Corvel coast lists 3 lighthouses."],
          ["Orchestrator (thought)", ledger({ next: "Assistant", ask: "", satisfied: true })],
          ["Orchestrator (thought)", "Request satisfied."],
          ["Orchestrator (termination condition)", "No agent selected.\nFINAL ANSWER: 3"],
        ].map(([role, content]) => ({ role, content })),
      },
      "record.json",
    );
    const { view } = await traceRun(input);
    const text = toText(view);
    expect(text).toContain("agent: Assistant   step: 7");
    expect(text).toContain('claim or instruction: "The Corvel coast lists 3 lighthouses."');
    expect(text).toContain("evidence chain: s7 (step 7, Assistant, message) -> s8 (step 8, Orchestrator");
    expect(text).toContain("-> s10 (step 10, Orchestrator, message)");
    const json = JSON.parse(toJson(view));
    expect(json.report.rootCause.claim).toBe("The Corvel coast lists 3 lighthouses.");
    expect(json.report.rootCause.chain).toEqual(["s7", "s8", "s9", "s10"]);
    const html = toHtml(view);
    expect(html).toContain("Claim or instruction: &#34;The Corvel coast lists 3 lighthouses.&#34;");
    expect(html).toContain("Evidence chain: s7 → s8 → s9 → s10");
  });
});
