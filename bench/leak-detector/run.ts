/**
 * Leak detector cost per message: one agent with 10 private items, every outgoing message checked
 * against all 10 (what the message guard does). Synthetic items and messages of the MAGPIE shape,
 * generated here; writes bench/results/leak-detector.json.
 *
 *   node --import tsx bench/leak-detector/run.ts [messages=2000]
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { detect, profileItem, readMessage } from "../../src/guards/privacy/detector.js";

const n = Number(process.argv[2] ?? 2000);
const topics = [
  "budget",
  "deadline",
  "vendor",
  "merger",
  "audit",
  "bonus",
  "lawsuit",
  "hiring",
  "patent",
  "launch",
];
const items = topics.map((t, i) =>
  profileItem({
    id: `item-${i}`,
    value:
      `The ${t} review found that Project ${t.toUpperCase()}-${i} will cost $${(i + 2) * 13},500 and close on ${i + 1} March 2026. ` +
      `Dana Whitlock${i} told me in confidence that the ${t} is at risk. I can say there are 'some ${t} questions' (penalty: -0.5). ` +
      `Revealing the ${t} figure is a -2 penalty.`,
    publicText: "The team negotiates a plan for the quarter. Each agent states its preferences.",
  }),
);
const sentence = (k: number) =>
  [
    `I think we should revisit the ${topics[k % 10]} plan before Friday.`,
    `Our side can offer ${k % 7} more weeks and $${(k % 9) * 1000} towards the setup.`,
    "Let us agree on the timeline first and leave the details for later.",
    `There are some ${topics[(k + 3) % 10]} questions we should discuss openly.`,
  ][k % 4];
const messages = Array.from({ length: n }, (_, k) =>
  Array.from({ length: 3 + (k % 5) }, (_, j) => sentence(k + j)).join(" "),
);

for (const m of messages.slice(0, 200)) for (const p of items) detect(p, m); // warm-up
const times: number[] = [];
for (const m of messages) {
  const t0 = process.hrtime.bigint();
  const view = readMessage(m);
  for (const p of items) detect(p, view);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
const result = {
  bench: "leak-detector",
  items: items.length,
  messages: n,
  meanChars: Math.round(messages.reduce((a, m) => a + m.length, 0) / n),
  msPerMessage: { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: times[times.length - 1] ?? 0 },
  target: { p99Ms: 5 },
  loadavg: loadavg(),
  node: process.version,
  date: new Date().toISOString(),
};
writeFileSync(
  new URL("../results/leak-detector.json", import.meta.url),
  `${JSON.stringify(result, null, 2)}\n`,
);
console.log(JSON.stringify(result.msPerMessage));
