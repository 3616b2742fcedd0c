/**
 * A WebSocket a test can stand in the relay's place with.
 *
 * @module
 */

/**
 * A WebSocket class that shows the test every binary message the relay delivered, and lets
 * it rewrite or repeat them first: what a relay broken into could do.
 */
export function tappedSocket(
  tap: (bytes: Uint8Array, deliver: (b: Uint8Array) => void) => void,
  textTap?: (text: string) => void,
) {
  return class extends WebSocket {
    override set onmessage(handler: ((e: MessageEvent) => void) | null) {
      super.onmessage = handler && ((e: MessageEvent) => {
        if (typeof e.data === "string") textTap?.(e.data);
        if (!(e.data instanceof ArrayBuffer)) return handler(e);
        tap(
          new Uint8Array(e.data),
          (b) => handler(new MessageEvent("message", { data: b.slice().buffer })),
        );
      });
    }
  };
}

/**
 * A WebSocket class that shows the test every text message the relay delivered (the JSON
 * of topic messages, mail, replies), and lets it rewrite, drop or add to them first.
 */
export function tappedTextSocket(tap: (text: string, deliver: (t: string) => void) => void) {
  return class extends WebSocket {
    override set onmessage(handler: ((e: MessageEvent) => void) | null) {
      super.onmessage = handler && ((e: MessageEvent) => {
        if (typeof e.data !== "string") return handler(e);
        tap(e.data, (t) => handler(new MessageEvent("message", { data: t })));
      });
    }
  };
}
