import {
  EventLog,
  type Item,
  RUN_FILE_FORMAT,
  RUN_FILE_VERSION,
  type RunFile,
  SequentialIds,
} from "../../src/core/index.js";

/** A canary: if it shows up in an export, redaction failed. */
export const PRIVATE_CANARY = "Dana Okafor salary 98765";

/**
 * A small failed run of our own with exact provenance: the analyst introduces a wrong figure
 * (1300 instead of the ledger's 1200), the writer copies it into the final answer and the
 * verifier rejects it.
 */
export function revenueRun(): RunFile {
  const ids = new SequentialIds("rev");
  const log = new EventLog({ newItemId: (kind) => ids.next(kind) });
  const runId = "run-rev";
  const task = log.add(runId, {
    step: 0,
    author: "user",
    kind: "task",
    content: "Report Northwind's Q3 revenue in EUR",
  });
  const plan = log.add(runId, {
    step: 1,
    author: "planner",
    kind: "plan",
    content: { steps: ["researcher: read ledger", "analyst: compute Q3", "writer: report"] },
    derivedFrom: [task.id],
  });
  const hr = log.add(runId, {
    step: 1,
    author: "hr",
    kind: "memory_write",
    content: PRIVATE_CANARY,
    sensitivity: "private",
    audience: ["hr", "analyst"],
    derivedFrom: [task.id],
  });
  const call = log.add(runId, {
    step: 2,
    author: "researcher",
    kind: "tool_call",
    content: { tool: "ledger", args: { quarter: "Q3" } },
    derivedFrom: [plan.id],
  });
  const result = log.add(runId, {
    step: 2,
    author: "tool:ledger",
    kind: "tool_result",
    content: { revenue: 1200, currency: "EUR" },
    derivedFrom: [call.id],
  });
  const analysis = log.add(runId, {
    step: 3,
    author: "analyst",
    kind: "step_output",
    content: "Q3 revenue is 1300 EUR after adding the October invoices",
    derivedFrom: [plan.id, result.id, hr.id],
  });
  const answer = log.add(runId, {
    step: 4,
    author: "writer",
    kind: "final_answer",
    content: "Northwind Q3 revenue: 1300 EUR",
    derivedFrom: [analysis.id],
  });
  log.add(runId, {
    step: 5,
    author: "verifier",
    kind: "verification",
    content: { ok: false, reason: "1300 does not match the ledger figure 1200" },
    derivedFrom: [answer.id, result.id],
  });
  const snap = log.snapshot(runId);
  return {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    runId,
    threadId: "thread-rev",
    task: "Report Northwind's Q3 revenue in EUR",
    status: "failed",
    reason: "verification failed",
    finalAnswer: "Northwind Q3 revenue: 1300 EUR",
    agents: ["planner", "hr", "researcher", "analyst", "writer", "verifier"],
    items: snap.items as Item[],
    events: snap.events,
    verdicts: [],
    usage: { modelCalls: 0, inputTokens: 0, outputTokens: 0, byAgent: {} },
    includesPrivate: true,
  };
}

/** Algorithm-generated shape (entries carry `name`); the math expert invents a figure. */
export function festivalRecord(): Record<string, unknown> {
  return {
    question: "What was the total attendance of the Harbor Jazz Festival across 2021 and 2022?",
    question_ID: "fixture-festival",
    ground_truth: "15400",
    history: [
      {
        name: "Events_Expert",
        role: "assistant",
        content:
          "You are given a task.\n# General Task\nWhat was the total attendance of the Harbor Jazz Festival across 2021 and 2022?\n## Plan\n1. Find the attendance of each year.\n2. Add them up.",
      },
      {
        name: "Data_Expert",
        role: "user",
        content:
          "I will fetch the figures.\n```python\nfrom lookup import get_attendance\nprint(get_attendance('harbor_jazz', 2021))\nprint(get_attendance('harbor_jazz', 2022))\n```",
      },
      {
        name: "Computer_terminal",
        role: "user",
        content: "exitcode: 0 (execution succeeded)\nCode output: 7200\n8200",
      },
      {
        name: "Math_Expert",
        role: "user",
        content:
          "Assuming the 2022 count of 8200 double counts the staff, I will use 7900 for 2022. The total is 7200 + 7900 = 15100.",
      },
      {
        name: "Verification_Expert",
        role: "user",
        content: "I checked the sum: 7200 + 7900 = 15100. The total attendance is 15100.",
      },
      { name: "Verification_Expert", role: "user", content: "TERMINATE" },
    ],
    mistake_agent: "Math_Expert",
    mistake_step: "3",
    mistake_reason: "Replaced a measured figure with an assumed one.",
  };
}

/** Algorithm-generated shape; the coder's script crashes and nobody repairs it. */
export function crashRecord(): Record<string, unknown> {
  return {
    question: "How many rows of inventory.csv have a negative stock_level?",
    question_ID: "fixture-crash",
    ground_truth: "4",
    history: [
      {
        name: "Inventory_Expert",
        role: "assistant",
        content: "# General Task\nCount the rows of inventory.csv with a negative stock_level.",
      },
      {
        name: "Python_Expert",
        role: "user",
        content:
          "```python\nimport pandas as pd\ndf = pd.read_csv('inventory.csv')\nprint((df['stock_levl'] < 0).sum())\n```",
      },
      {
        name: "Computer_terminal",
        role: "user",
        content:
          "exitcode: 1 (execution failed)\nCode output: Traceback (most recent call last):\nKeyError: 'stock_levl'",
      },
      {
        name: "Inventory_Expert",
        role: "user",
        content: "The column lookup failed, so we cannot count the rows. The answer is 0.",
      },
      { name: "Inventory_Expert", role: "user", content: "TERMINATE" },
    ],
    mistake_agent: "Python_Expert",
    mistake_step: "1",
    mistake_reason: "Misspelled the column name.",
  };
}

/** Hand-crafted shape (no `name`; the agent is the role without its parenthesised suffix). */
export function ferryRecord(): Record<string, unknown> {
  return {
    question: "Which ferry leaves Port Elm first on Sundays?",
    question_ID: "fixture-ferry",
    ground_truth: "Blue Heron",
    is_corrected: false,
    history: [
      { role: "human", content: "Which ferry leaves Port Elm first on Sundays?" },
      {
        role: "Orchestrator (thought)",
        content: "Initial plan: ask WebSurfer to read the Port Elm Sunday timetable.",
      },
      {
        role: "Orchestrator (-> WebSurfer)",
        content: "Open https://ferries.example.org/port-elm and read the Sunday timetable.",
      },
      {
        role: "WebSurfer",
        content:
          "I opened https://ferries.example.org/port-elm/weekday. The first departure listed is 'Grey Gull' at 06:10.",
      },
      {
        role: "Orchestrator (thought)",
        content:
          'Updated Ledger:\n{"is_progress_being_made": {"reason": "a departure was found", "answer": true}}',
      },
      {
        role: "Orchestrator (-> Assistant)",
        content: "State which ferry leaves first on Sundays, given 'Grey Gull' at 06:10.",
      },
      { role: "Assistant", content: "The first Sunday ferry from Port Elm is Grey Gull at 06:10." },
      { role: "Orchestrator (termination condition)", content: "FINAL ANSWER: Grey Gull" },
    ],
    mistake_agent: "WebSurfer",
    mistake_step: "3",
    mistake_reason: "Read the weekday page instead of the Sunday one.",
  };
}

/** Items of an imported log, one per (author, text): no provenance; "terminal" speaks as a tool. */
export function importedItems(entries: Array<[string, string]>): Item[] {
  return entries.map(([author, content], i) => ({
    id: `s${i}`,
    runId: "r",
    step: i,
    author,
    kind: author === "terminal" ? "tool_result" : "message",
    content,
    audience: ["*"],
    sensitivity: "internal",
    labels: [],
    derivedFrom: [],
  }));
}
