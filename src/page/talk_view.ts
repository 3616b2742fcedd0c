/**
 * Talking on the network page: send a message to a peer id, subscribe to topics and publish
 * on them; what comes in is listed, newest first, with the path it took (relay or direct).
 *
 * @module
 */
import type { Peer, PeerMessage } from "../../mod.ts";
// The root comes from /v1/client.js at run time; what a subpath gives is bundled in.
import { STATS_TOPIC } from "../routing/mod.ts";
import { byId, h, inWords, logLine, short } from "./dom.ts";

function value(form: HTMLFormElement, name: string): string {
  return (form.elements.namedItem(name) as HTMLInputElement).value.trim();
}

const failure = inWords;

/**
 * Wires the message and topic forms, and lists what comes in.
 *
 * @example Usage
 * ```ts
 * import type { Peer } from "../../mod.ts";
 * import { talkView } from "./talk_view.ts";
 * export const wire = (peer: Peer) => talkView(peer);
 * ```
 *
 * @param peer The page's peer.
 */
export function talkView(peer: Peer): void {
  const inbox = byId("inbox");
  const stamp = () => h("time", {}, new Date().toLocaleTimeString());
  // The visitor's own publishes come back to them like anyone's: under "you", not an id they
  // would have to recognise as theirs.
  const who = (from: string) =>
    from === peer.peerId
      ? h("strong", { class: "you", title: from }, "you")
      : h("code", { title: from }, short(from));
  peer.addEventListener("message", (e) => {
    const m = (e as CustomEvent<PeerMessage>).detail;
    const data = typeof m.data === "string" ? m.data : `${m.data.length} bytes`;
    logLine(inbox, [stamp(), " from ", who(m.from), ` (${m.via}): `, data]);
  });
  peer.addEventListener("mail", (e) => {
    const m = (e as CustomEvent).detail;
    logLine(inbox, [stamp(), " mail from ", who(m.from), ": ", String(m.data)]);
  });
  peer.addEventListener("topic", (e) => {
    const m = (e as CustomEvent).detail;
    if (m.topic === STATS_TOPIC) return;
    logLine(inbox, [stamp(), ` on ${m.topic} from `, who(m.from), ": ", m.data]);
  });
  const said = byId("talk-status");
  byId<HTMLFormElement>("send").addEventListener("submit", (e) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    try {
      const result = peer.send(value(form, "to"), value(form, "text"), { mailbox: true });
      said.textContent = `Message ${result}.`;
    } catch (error) {
      said.textContent = failure(error);
    }
  });
  byId<HTMLFormElement>("subscribe").addEventListener("submit", async (e) => {
    e.preventDefault();
    const topic = value(e.target as HTMLFormElement, "topic");
    try {
      await peer.subscribe(topic);
      said.textContent = `Subscribed to ${topic}.`;
    } catch (error) {
      said.textContent = failure(error);
    }
  });
  byId<HTMLFormElement>("publish").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    try {
      await peer.publish(value(form, "topic"), value(form, "text"));
      said.textContent = `Published on ${value(form, "topic")}.`;
    } catch (error) {
      said.textContent = failure(error);
    }
  });
}
