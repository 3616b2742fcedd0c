/**
 * The network page's script: an identity kept in this browser, a peer of the network over its
 * WebSocket (going direct with WebRTC where it can), the live figures from `$stats`, and the
 * forms that let a visitor use the network. Served at `/v1/page.js`; it loads the client
 * from `/v1/client.js`.
 *
 * @module
 */
import { Identity, type NetworkInfo, Peer, type Welcome } from "../../mod.ts";
import type { NetworkSummary } from "../protocol/mod.ts";
// The root comes from /v1/client.js at run time; what a subpath gives is bundled in.
import { STATS_TOPIC } from "../routing/mod.ts";
import { copyButton } from "./copy_button.ts";
import { byId, fill, h, inWords, short } from "./dom.ts";
import { filesView } from "./files_view.ts";
import { ledgerView } from "./ledger_view.ts";
import { NetworkView } from "./network_view.ts";
import { talkView } from "./talk_view.ts";

/** Where this browser keeps the visitor's identity. */
const IDENTITY_KEY = "superpeer.identity";

/** Holds a lock for as long as the tab lives, if no other tab holds it: whether it got it. */
function holdLock(name: string): Promise<boolean> {
  const locks = (navigator as { locks?: LockManager }).locks;
  if (!locks) return Promise.resolve(true);
  return new Promise((resolve) => {
    locks.request(name, { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      return lock ? new Promise<void>(() => {}) : undefined;
    });
  });
}

async function load(storage: Storage): Promise<Identity> {
  const saved = storage.getItem(IDENTITY_KEY);
  if (saved) {
    try {
      return await Identity.fromJSON(saved);
    } catch {
      // A damaged entry: a new identity replaces it.
    }
  }
  const made = await Identity.generate();
  storage.setItem(IDENTITY_KEY, JSON.stringify(made));
  return made;
}

// The browser's identity, kept across visits; a second tab (which would push the first off
// the network, one session per peer) gets one of its own for as long as it is open.
async function identity(): Promise<{ identity: Identity; kept: boolean }> {
  const kept = await holdLock(IDENTITY_KEY);
  return { identity: await load(kept ? localStorage : sessionStorage), kept };
}

/**
 * Starts the page.
 *
 * @example Usage
 * ```ts
 * import { start } from "./main.ts";
 * // In the page: `start(location.origin)`.
 * export const run = () => start("http://127.0.0.1:8787");
 * ```
 *
 * @param base The network's HTTP base URL.
 * @returns The page's peer, once connected.
 */
export async function start(base: string): Promise<Peer> {
  const info = await (await fetch(new URL("/v1/network", base))).json() as NetworkInfo;
  fill(byId("network-name"), info.network);
  const view = new NetworkView({ network: info.network, shardKeys: info.shardKeys }, base);
  const { identity: me, kept } = await identity();
  const id = h("code", {}, me.peerId);
  fill(byId("me"), id, ...copyButton("Copy peer id", me.peerId, id));
  fill(byId("kept"), kept ? "(kept in this browser)" : "(this tab's own: another tab uses yours)");
  const peer = new Peer({
    url: base.replace(/^http/, "ws"),
    identity: me,
    network: info.network,
    direct: { iceServers: info.iceServers },
  });
  const state = byId("state");
  peer.addEventListener("open", (e) => {
    const w = (e as CustomEvent<Welcome>).detail;
    fill(state, `connected, home shard ${w.shard} of ${w.shards}`);
  });
  peer.addEventListener("reconnecting", () => fill(state, "reconnecting…"));
  peer.addEventListener("topic", (e) => {
    const m = (e as CustomEvent).detail;
    if (m.topic === STATS_TOPIC) view.show(JSON.parse(m.data) as NetworkSummary);
  });
  talkView(peer);
  filesView(peer);
  const refresh = ledgerView(peer, info.faucet, base);
  await peer.connect();
  await peer.subscribe(STATS_TOPIC);
  await refresh();
  (globalThis as { superpeerPage?: unknown }).superpeerPage = { peer, view, short };
  return peer;
}

if (typeof document !== "undefined" && document.getElementById("network-name")) {
  start(location.origin).catch((error) => fill(byId("state"), `not connected: ${inWords(error)}`));
}
