/**
 * Checks of what a visitor sees of the network page, run in its Chromium tab: what a copy
 * button put on the clipboard.
 *
 * @module
 */
import type { Page } from "playwright-core";

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
