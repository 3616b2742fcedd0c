/**
 * Checks of what a visitor sees of the network page, run in its Chromium tab: which controls
 * lie on the first screen, and what a copy button put on the clipboard.
 *
 * @module
 */
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
