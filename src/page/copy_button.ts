/**
 * A copy button for a long id on the network page: ids are too long to select by hand on a
 * phone and too easy to miss a character of, so each one a visitor may pass on has one.
 *
 * @module
 */
import { h } from "./dom.ts";

/** How long "Copied" stays: long enough to read, short enough not to go stale. */
const SAID_MS = 2_000;

/**
 * A "Copy" button and the short line beside it that says what it did. It writes the id with
 * `navigator.clipboard.writeText`; where there is no clipboard (a page served over plain HTTP
 * from another host) or it is refused, it selects the id on the page instead and says so, so
 * that the visitor's own copy keys take it from there.
 *
 * @example Usage
 * ```ts
 * import { copyButton } from "./copy_button.ts";
 * import { h } from "./dom.ts";
 * export const id = (peerId: string) => {
 *   const code = h("code", {}, peerId);
 *   return h("p", {}, code, ...copyButton("Copy peer id", peerId, code));
 * };
 * ```
 *
 * @param name The button's accessible name, saying what it copies ("Copy peer id").
 * @param text What it copies.
 * @param shown The element that shows it, selected where the clipboard cannot be written.
 * @returns The button and its status line, to place side by side.
 */
export function copyButton(
  name: string,
  text: string,
  shown: HTMLElement,
): [HTMLButtonElement, HTMLSpanElement] {
  const said = h("span", { class: "copied small", role: "status" });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const say = (words: string) => {
    said.textContent = words;
    clearTimeout(timer);
    timer = setTimeout(() => said.textContent = "", SAID_MS);
  };
  const button = h("button", {
    type: "button",
    class: "copy",
    "aria-label": name,
    title: name,
    onclick: async () => {
      try {
        // Absent outside a secure context, where the fallback below does it.
        if (!navigator.clipboard) throw new Error("no clipboard");
        await navigator.clipboard.writeText(text);
        say("Copied");
      } catch {
        getSelection()?.selectAllChildren(shown);
        say("No clipboard here: selected for you to copy");
      }
    },
  }, "Copy");
  return [button, said];
}
