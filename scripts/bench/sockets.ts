/**
 * Opening many WebSockets for a benchmark, a bounded number at a time.
 *
 * @module
 */

/** Sockets opened at once. */
const CONCURRENCY = 200;

/**
 * Opens `count` WebSockets.
 *
 * @example Usage
 * ```ts
 * import { openSockets } from "./sockets.ts";
 * // Against a running network: ten open sockets, each with its own hello.
 * export const ten = () => openSockets(10, () => Promise.resolve("ws://127.0.0.1:8787"));
 * ```
 *
 * @param count How many.
 * @param url Makes the URL of each (a fresh signed hello, say).
 * @param onOpen Sent on each once it is open (a subscription, say).
 * @param ready Whether a text message from the server means the socket is ready; without it,
 *   open is ready.
 * @returns The sockets.
 */
export async function openSockets(
  count: number,
  url: () => Promise<string>,
  onOpen?: (ws: WebSocket) => void,
  ready?: (text: string) => boolean,
): Promise<WebSocket[]> {
  const out: WebSocket[] = [];
  const one = async () => {
    const ws = new WebSocket(await url());
    await new Promise<void>((resolve, reject) => {
      ws.onerror = () => reject(new Error("Cannot open a benchmark socket"));
      ws.onopen = () => {
        onOpen?.(ws);
        if (!ready) resolve();
      };
      if (ready) ws.onmessage = (e) => typeof e.data === "string" && ready(e.data) && resolve();
    });
    ws.onmessage = null;
    ws.onerror = null;
    out.push(ws);
  };
  for (let i = 0; i < count; i += CONCURRENCY) {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count - i) }, one));
  }
  return out;
}
