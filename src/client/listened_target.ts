/**
 * An `EventTarget` that knows whether anyone listens for an event type. The peer uses it so
 * that a mail is acknowledged only once a `mail` listener took it: mail that arrives with no
 * listener waits, unacknowledged, until one is added (or comes again on the next connect).
 *
 * @module
 */

// A listener and the options, as `EventTarget` takes them, spelled out rather than the DOM's
// names, so that a project without the DOM library (Node, with `@types/node`) types the peer.
type Listener = ((event: Event) => void) | { handleEvent(event: Event): void };

/**
 * An event target that counts its listeners by type.
 *
 * @example Usage
 * ```ts
 * import { ListenedTarget } from "./listened_target.ts";
 * const target = new ListenedTarget();
 * console.assert(!target.listening("mail"));
 * target.addEventListener("mail", () => {}, { once: true });
 * console.assert(target.listening("mail"));
 * target.dispatchEvent(new Event("mail"));
 * console.assert(!target.listening("mail"));
 * ```
 */
export class ListenedTarget<Events extends object = Record<string, unknown>> extends EventTarget {
  /** Listeners by type; `true` for those that fire once. */
  readonly #listeners = new Map<string, Map<Listener, boolean>>();
  /** Told when a listener is added for a type. */
  protected onListen: (type: string) => void = () => {};

  /**
   * Whether a listener for the type is registered now.
   *
   * @param type The event type.
   * @returns Whether one is.
   */
  listening(type: string): boolean {
    return (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  /**
   * Adds a listener, as `EventTarget` does, and counts it.
   *
   * @param type The event type.
   * @param listener The listener.
   * @param options As for `EventTarget`; `once` and `signal` are followed.
   */
  override addEventListener(
    type: string,
    listener: ((event: Event) => void) | { handleEvent(event: Event): void } | null,
    options?: boolean | { once?: boolean; signal?: AbortSignal; capture?: boolean },
  ): void {
    super.addEventListener(type, listener, options);
    if (!listener) return;
    const o = typeof options === "object" ? options : {};
    if (o.signal?.aborted) return;
    let of = this.#listeners.get(type);
    if (!of) this.#listeners.set(type, of = new Map());
    of.set(listener, o.once === true);
    o.signal?.addEventListener("abort", () => of.delete(listener), { once: true });
    this.onListen(type);
  }

  /**
   * Removes a listener, as `EventTarget` does, and stops counting it.
   *
   * @param type The event type.
   * @param listener The listener.
   * @param options As for `EventTarget`.
   */
  override removeEventListener(
    type: string,
    listener: ((event: Event) => void) | { handleEvent(event: Event): void } | null,
    options?: boolean | { capture?: boolean },
  ): void {
    super.removeEventListener(type, listener, options);
    if (listener) this.#listeners.get(type)?.delete(listener);
  }

  /**
   * Listens for an event type, typed by its detail: the handler gets the event's `detail`, no
   * `CustomEvent` cast needed.
   *
   * @example Usage
   * ```ts
   * import { ListenedTarget } from "./listened_target.ts";
   * const target = new ListenedTarget<{ ping: { n: number } }>();
   * let seen = 0;
   * const off = target.on("ping", (p) => seen += p.n);
   * target.dispatchEvent(new CustomEvent("ping", { detail: { n: 2 } }));
   * off();
   * target.dispatchEvent(new CustomEvent("ping", { detail: { n: 5 } }));
   * console.assert(seen === 2);
   * ```
   *
   * @param type The event type.
   * @param handler Called with each event's detail.
   * @param options `once`, and a `signal` that removes it.
   * @returns A function that removes the handler.
   */
  on<K extends keyof Events & string>(
    type: K,
    handler: (detail: Events[K]) => void,
    options: { once?: boolean; signal?: AbortSignal } = {},
  ): () => void {
    const listener = (e: Event) => handler((e as CustomEvent<Events[K]>).detail);
    this.addEventListener(type, listener, options);
    return () => this.removeEventListener(type, listener);
  }

  /**
   * Dispatches an event, as `EventTarget` does; its `once` listeners stop being counted.
   *
   * @param event The event.
   * @returns As for `EventTarget`.
   */
  override dispatchEvent(event: Event): boolean {
    const delivered = super.dispatchEvent(event);
    // Those registered with `once` are gone now.
    const of = this.#listeners.get(event.type);
    if (of) { for (const [listener, once] of of) if (once) of.delete(listener); }
    return delivered;
  }
}
