/**
 * Headless Chromium from Debian's package, started the one way every browser test starts it.
 *
 * @module
 */
import { type Browser, chromium } from "playwright-core";

/** The Debian package's binary. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags every test uses: headless, and nothing that reaches for the network by itself. */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Starts headless Chromium.
 *
 * @param extraFlags Flags a test needs besides the usual ones.
 * @returns The browser.
 */
export function launchChromium(extraFlags: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_FLAGS, ...extraFlags],
  });
}
