/**
 * Helpers for tests that run peers against a local network.
 *
 * @module
 */
import { Identity, type PeerMessage } from "../../mod.ts";
import { shardOf } from "../../src/routing/mod.ts";
import { Peer, type PeerOptions } from "../../src/client/mod.ts";
import { connectUrl, signHello } from "../../src/protocol/mod.ts";
import type { LocalNetwork } from "../../scripts/local_network.ts";

/**
 * Makes an identity whose home is the given shard.
 *
 * @param shard The wanted home shard.
 * @param shards The network's shard count.
 * @returns The identity.
 */
export async function identityOnShard(shard: number, shards: number): Promise<Identity> {
  for (;;) {
    const identity = await Identity.generate();
    if (shardOf(identity.peerId, shards) === shard) return identity;
  }
}

/**
 * Creates and connects a peer.
 *
 * @param net The network.
 * @param options Peer options besides the URL.
 * @returns The connected peer.
 */
export async function connectPeer(
  net: LocalNetwork,
  options: Partial<PeerOptions> = {},
): Promise<Peer> {
  const peer = new Peer({
    url: net.url.replace("http:", "ws:"),
    identity: options.identity ?? await Identity.generate(),
    network: net.network,
    reconnect: { minDelayMs: 50, maxDelayMs: 500 },
    ...options,
  });
  await peer.connect();
  return peer;
}

/**
 * Waits for the next `count` messages on a reader, or fails after `timeoutMs`.
 *
 * @param reader A reader from `peer.messages()`.
 * @param count How many.
 * @param timeoutMs How long to wait.
 * @returns The messages.
 */
export async function take(
  reader: AsyncIterator<PeerMessage>,
  count: number,
  timeoutMs = 10_000,
): Promise<PeerMessage[]> {
  const out: PeerMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    const left = deadline - Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = await Promise.race([
      reader.next(),
      new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), Math.max(0, left))),
    ]);
    clearTimeout(timer);
    if (next === "timeout") {
      throw new Error(`Timed out after ${timeoutMs} ms with ${out.length} of ${count} messages`);
    }
    if (next.done) throw new Error(`Reader ended after ${out.length} of ${count} messages`);
    out.push(next.value);
  }
  return out;
}

/**
 * Resolves with the detail of the next event of a type, or fails after `timeoutMs`.
 *
 * @param target The event target.
 * @param type The event type.
 * @param timeoutMs How long to wait.
 * @returns The event's detail.
 */
export function nextEvent<T>(target: EventTarget, type: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(type, on);
      reject(new Error(`No "${type}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (event: Event) => {
      clearTimeout(timer);
      target.removeEventListener(type, on);
      resolve((event as CustomEvent<T>).detail);
    };
    target.addEventListener(type, on);
  });
}

/**
 * Polls until a condition holds or the time is up; the caller asserts on what it then sees.
 *
 * @param condition What to wait for (it may ask over the network).
 * @param timeoutMs How long to wait at most.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // Said, so that a wait that always runs to its end (a condition that cannot hold, unasserted)
  // shows in the suite's output rather than only in its time.
  if (Date.now() >= deadline && !await condition()) {
    const at = new Error().stack?.split("\n")[2]?.trim() ?? "";
    console.warn(`waitUntil: gave up after ${timeoutMs} ms ${at}`);
  }
}

/** Headers that make a plain `fetch` a WebSocket upgrade, to read the upgrade's status. */
export const UPGRADE_HEADERS: HeadersInit = {
  upgrade: "websocket",
  connection: "upgrade",
  "sec-websocket-version": "13",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
};

/**
 * Opens a bare WebSocket with a fresh signed hello, no client library: what it hears comes
 * from the network alone (a subscription it made on an earlier connection, say).
 *
 * @param net The network.
 * @param identity Whose hello.
 * @param heard Where each text message it receives is pushed.
 * @param headers Headers for the upgrade request.
 * @returns The open socket.
 */
export async function openBareSocket(
  net: LocalNetwork,
  identity: Identity,
  heard: string[],
  headers?: Record<string, string>,
): Promise<WebSocket> {
  const url = connectUrl(net.url, await signHello(identity, net.network, net.url));
  // Deno's WebSocket takes headers (the test-only client address, say) beside the standard's.
  const ws = headers ? new WebSocket(url, { headers } as unknown as string[]) : new WebSocket(url);
  ws.onmessage = (e) => typeof e.data === "string" && heard.push(e.data);
  await new Promise((r) => ws.onopen = r);
  return ws;
}
