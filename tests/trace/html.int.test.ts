import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportTrace, parseRunFile, parseWhoAndWhen, traceRun } from "../../src/trace/index.js";
import { ferryRecord, revenueRun } from "./fixtures.js";

// Debian's Chromium, never a downloaded browser. CI installs it; elsewhere the test may skip.
const CHROMIUM = "/usr/bin/chromium";
const present = existsSync(CHROMIUM);
const inCi = process.env.CI === "true";
if (!present && !inCi) {
  process.stderr.write(`html trace test skipped: ${CHROMIUM} not found (apt-get install chromium)\n`);
}

describe.skipIf(!present && !inCi)("HTML trace page in headless Chromium", () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!present) throw new Error(`${CHROMIUM} is missing; CI must install Debian's chromium package`);
    dir = mkdtempSync(join(tmpdir(), "quorum-trace-html-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(html: string, name: string) {
    const file = join(dir, name);
    writeFileSync(file, html);
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith("file:")) requests.push(r.url());
    });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href);
    return { page, requests, errors };
  }

  it("shows the graph with the root cause highlighted, and a click shows the node's content", async () => {
    const { view } = await traceRun(parseRunFile(revenueRun(), "run.json"));
    const { page, requests, errors } = await open(exportTrace(view, "html"), "run.html");
    expect(await page.locator("g.node").count()).toBe(view.nodes.length);
    expect(await page.locator("g.node.root").getAttribute("data-id")).toBe("rev-step_output-6");
    expect(await page.locator("path.edge.chain").count()).toBe(2);
    await expect.poll(() => page.locator("#root-summary").textContent()).toContain("step 3 by analyst");

    await page.locator('g.node[data-id="rev-tool_result-5"]').click();
    expect(await page.locator("#node-content").textContent()).toBe('{"revenue":1200,"currency":"EUR"}');
    expect(await page.locator("#details").textContent()).toContain("tool:ledger");

    await page.locator('g.node[data-id="rev-final_answer-7"]').click();
    expect(await page.locator("#node-content").textContent()).toBe("Northwind Q3 revenue: 1300 EUR");
    const details = await page.locator("#details").textContent();
    expect(details).toContain("verifier: rejected — 1300 does not match the ledger figure 1200");

    // The private item is shown redacted.
    await page.locator('g.node[data-id="rev-memory_write-3"]').click();
    expect(await page.locator("#node-content").textContent()).toBe("[redacted]:private");
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("works for an imported log: clicking a candidate in the list selects its node", async () => {
    const { view } = await traceRun(parseWhoAndWhen(ferryRecord(), "ferry.json"));
    const { page, errors } = await open(exportTrace(view, "html"), "ferry.html");
    expect(await page.locator("#agent-summary").textContent()).toBe(
      `Most responsible agent: ${view.report.agents[0]?.agent} (the decisive item is by WebSurfer)`,
    );
    await page.locator("#candidates .cand").first().click();
    const rootId = view.report.rootCause?.itemId ?? "";
    expect(await page.locator("g.node.selected").getAttribute("data-id")).toBe(rootId);
    expect(await page.locator("#node-content").textContent()).toBe(
      view.nodes.find((n) => n.id === rootId)?.content,
    );
    // Weak inferred edges are hidden until asked for.
    const visible = () => page.locator("path.edge:visible").count();
    const before = await visible();
    await page.locator("#weak").check();
    expect(await visible()).toBeGreaterThanOrEqual(before);
    expect(errors).toEqual([]);
    await page.close();
  });
});
