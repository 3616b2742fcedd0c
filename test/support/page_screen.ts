/**
 * Checks of what a visitor sees of the network page, run in its Chromium tab: which controls
 * lie on the first screen, whether the shard table is wholly on a narrow one, and what a copy
 * button put on the clipboard.
 *
 * @module
 */
import { SHARD_COLUMNS } from "../../src/page/shard_columns.ts";
import type { Page } from "playwright-core";
import { assert, assertEquals } from "./assert.ts";

/** The controls a newcomer should find without scrolling: what to try first. */
export const FIRST_SCREEN: readonly string[] = [
  "#about",
  "#me code",
  "button[aria-label='Copy peer id']",
  "#faucet",
  "#send input[name=to]",
  "#send input[name=text]",
  "#send button",
  "#publish input[name=topic]",
  "#publish input[name=text]",
  "#publish button",
  "#share input[type=file]",
  "#share button",
  "#fetch input[name=cid]",
  "#fetch button",
  "#transfer input[name=to]",
  "#transfer input[name=amount]",
  "#transfer button",
];

/**
 * Asserts that each of the first-screen controls is shown whole within the viewport as it
 * stands (not scrolled), and that the network's figures come after them all.
 *
 * @param page The page, just loaded.
 */
export async function assertFirstScreen(page: Page): Promise<void> {
  const seen = await page.evaluate((selectors) => {
    const box = (s: string) => {
      const el = document.querySelector(s);
      if (!el) return { s, missing: true, top: 0, bottom: 0, width: 0 };
      const r = el.getBoundingClientRect();
      return { s, missing: false, top: r.top, bottom: r.bottom, width: r.width };
    };
    return {
      height: innerHeight,
      scrolled: scrollY,
      boxes: selectors.map(box),
      figures: box("#h-network").top,
    };
  }, FIRST_SCREEN);
  assertEquals(seen.scrolled, 0, "the page is not scrolled");
  const off = seen.boxes.filter((b) =>
    b.missing || b.width === 0 || b.top < 0 || b.bottom > seen.height
  );
  assertEquals(off.map((b) => `${b.s} at ${Math.round(b.top)}-${Math.round(b.bottom)}`), []);
  const lowest = Math.max(...seen.boxes.map((b) => b.bottom));
  assert(seen.figures >= lowest, `the figures (at ${seen.figures}) come before ${lowest}`);
}

/**
 * Asserts that the page is no wider than its viewport and that every cell of every shard row
 * lies wholly within it, the table's own box scrolling nothing out of sight.
 *
 * @param page The page, at a phone's size.
 * @param rows How many shard rows there are.
 */
export async function assertShardTableFits(page: Page, rows: number): Promise<void> {
  const seen = await page.evaluate(() => {
    const box = document.querySelector(".table")!;
    return {
      pageWidth: document.documentElement.scrollWidth,
      viewport: innerWidth,
      boxHidden: box.scrollWidth - box.clientWidth,
      rows: [...document.querySelectorAll("#shard-rows tr")].map((tr) =>
        [...tr.querySelectorAll("th, td")].map((cell) => {
          const r = cell.getBoundingClientRect();
          const label = getComputedStyle(cell, "::before").content;
          return {
            text: `${label === "none" ? "" : label} ${cell.textContent}`,
            left: r.left,
            right: r.right,
            width: r.width,
          };
        })
      ),
    };
  });
  assert(seen.pageWidth <= seen.viewport, `the page is ${seen.pageWidth} px wide`);
  assertEquals(seen.boxHidden, 0, "the table's box hides nothing sideways");
  assertEquals(seen.rows.length, rows);
  for (const cells of seen.rows) {
    assertEquals(cells.length, 1 + SHARD_COLUMNS.length, "a shard's number and each figure");
    const out = cells.filter((c) => c.width === 0 || c.left < 0 || c.right > seen.viewport);
    assertEquals(out.map((c) => `${c.text} at ${Math.round(c.left)}-${Math.round(c.right)}`), []);
  }
}

/**
 * Clicks a copy button by its accessible name and returns what landed on the clipboard, which
 * is emptied first so that an earlier copy cannot pass for this one.
 *
 * @param page The page, its context granted the clipboard.
 * @param name The button's accessible name.
 * @returns The clipboard's text, once the button said "Copied".
 */
export async function copied(page: Page, name: string): Promise<string> {
  await page.evaluate(() => navigator.clipboard.writeText(""));
  const button = page.getByRole("button", { name, exact: true });
  await button.click();
  await page.waitForFunction(
    (b) => b?.nextElementSibling?.textContent === "Copied",
    await button.elementHandle(),
  );
  return await page.evaluate(() => navigator.clipboard.readText());
}
