/**
 * The few DOM helpers the network page uses: make an element with its attributes and
 * children, find one by id, say something to screen readers.
 *
 * @module
 */

type Child = Node | string | number | null | undefined | false;

/**
 * Makes an element.
 *
 * @example Usage
 * ```ts
 * import { h } from "./dom.ts";
 * export const cell = () => h("td", { class: "num" }, 42);
 * ```
 *
 * @param tag The tag.
 * @param attrs Attributes (`on*` functions become listeners).
 * @param children Nodes or text.
 * @returns The element.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | ((e: Event) => void) | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "object" ? c : String(c));
  }
  return el;
}

/**
 * The element with an id.
 *
 * @example Usage
 * ```ts
 * import { byId } from "./dom.ts";
 * export const form = () => byId<HTMLFormElement>("send");
 * ```
 *
 * @param id The id.
 * @returns The element.
 * @throws {Error} If there is none (the page and its script disagree).
 */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The page has no #${id}`);
  return el as T;
}

/**
 * Replaces an element's children.
 *
 * @example Usage
 * ```ts
 * import { fill } from "./dom.ts";
 * export const clear = (el: HTMLElement) => fill(el);
 * ```
 *
 * @param el The element.
 * @param children The new children.
 */
export function fill(el: HTMLElement, ...children: Child[]): void {
  el.replaceChildren(
    ...children.filter((c): c is Node | string | number =>
      c !== null && c !== undefined && c !== false
    )
      .map((c) => typeof c === "object" ? c : String(c)),
  );
}

/**
 * Adds a line at the top of a log list, keeping the newest `max`.
 *
 * @example Usage
 * ```ts
 * import { logLine } from "./dom.ts";
 * export const note = (list: HTMLElement) => logLine(list, "connected");
 * ```
 *
 * @param list The list (`ul` or `ol`).
 * @param content The line.
 * @param max Lines kept. @default 50
 */
export function logLine(list: HTMLElement, content: Child | Child[], max = 50): void {
  const li = document.createElement("li");
  for (const c of [content].flat()) {
    if (c !== null && c !== undefined && c !== false) {
      li.append(typeof c === "object" ? c : String(c));
    }
  }
  list.prepend(li);
  while (list.children.length > max) list.lastElementChild?.remove();
}

/**
 * A short form of a long id: its start and end.
 *
 * @example Usage
 * ```ts
 * import { short } from "./dom.ts";
 * console.assert(short("6MkpmsomXK1YcsiVfWqKDKCUWaYaCSmRnwYTujwz1bTXvXx") === "6Mkpms…TXvXx");
 * ```
 *
 * @param id The id.
 * @returns Its short form.
 */
export function short(id: string): string {
  return id.length > 14 ? `${id.slice(0, 6)}…${id.slice(-5)}` : id;
}

/**
 * An error as a visitor reads it: the network's code and words, or the words alone, never a
 * `TypeError:` prefix.
 *
 * @example Usage
 * ```ts
 * import { inWords } from "./dom.ts";
 * console.assert(inWords(new TypeError('"bob" is not a peer id')) === '"bob" is not a peer id');
 * ```
 *
 * @param error What was thrown.
 * @returns One line.
 */
export function inWords(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const words = error instanceof Error ? error.message : String(error);
  return typeof code === "string" && /^[A-Z_]+$/.test(code) ? `${code}: ${words}` : words;
}
