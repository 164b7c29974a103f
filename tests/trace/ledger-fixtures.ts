/** Made-up logs in the shape of an orchestrator-led run (progress ledger, browsing reports). */

/** A progress ledger as an orchestrator writes it (made-up run, same shape). */
export function ledger(o: {
  satisfied?: boolean;
  progress?: boolean;
  loop?: boolean;
  next: string;
  ask: string;
}) {
  const f = (answer: unknown) => ({ reason: "-", answer });
  return `Updated Ledger:\n${JSON.stringify(
    {
      is_request_satisfied: f(o.satisfied ?? false),
      is_in_loop: f(o.loop ?? false),
      is_progress_being_made: f(o.progress ?? true),
      next_speaker: f(o.next),
      instruction_or_question: f(o.ask),
    },
    null,
    2,
  )}`;
}

export function page(action: string, url: string, seen: string): string {
  return `${action}\n\nHere is a screenshot of [Page](${url}). The viewport shows 40% of the webpage.\nAutomatic OCR of the page screenshot has detected the following text:\n\n${seen}`;
}

export const ask = (text: string): Array<[string, string]> => [
  ["Orchestrator (thought)", ledger({ next: "WebSurfer", ask: text })],
  ["Orchestrator (-> WebSurfer)", text],
];

/** A run that stalls on one page: reached at 7, first unchanged at 10, ledger says no progress at 14. */
export function stallHistory(): Array<[string, string]> {
  return [
    ["human", "How many lighthouses does the Corvel coast list?"],
    ["Orchestrator (thought)", "Initial plan: search the coast registry."],
    ...ask("Search for the Corvel coast registry."),
    [
      "WebSurfer",
      page(
        "I typed 'Corvel coast registry' into the search bar.",
        "https://search.example/q=corvel",
        "Corvel Coast Registry - registry.example",
      ),
    ],
    ...ask("Open the registry and find the lighthouse list."),
    [
      "WebSurfer",
      page(
        "I clicked 'Corvel Coast Registry'.",
        "https://registry.example/coast",
        "Registry home. Select a region.",
      ),
    ],
    ...ask("Select the northern region."),
    [
      "WebSurfer",
      page("I clicked 'Region'.", "https://registry.example/coast#top", "Registry home. Select a region."),
    ],
    [
      "Orchestrator (thought)",
      ledger({ next: "WebSurfer", ask: "Select the northern region.", progress: true }),
    ],
    ["Orchestrator (-> WebSurfer)", "Select the northern region again."],
    [
      "WebSurfer",
      page("I clicked 'Region'.", "https://registry.example/coast", "Registry home. Select a region."),
    ],
    [
      "Orchestrator (thought)",
      ledger({ next: "WebSurfer", ask: "Try once more.", progress: false, loop: true }),
    ],
    ["Orchestrator (-> WebSurfer)", "Try once more."],
    ["WebSurfer", page("I scrolled down.", "https://registry.example/coast", "Footer.")],
    ["Orchestrator (termination condition)", "Max time reached. FINAL ANSWER: 12"],
  ];
}
