// The app's Node peer: it joins the room, says hello there, and answers each message posted in
// the room. It is a peer like the page: the network relays between them; nothing here is a
// server the page talks to. Its identity is kept in .identity.json, so its peer id stays the
// same across runs.
//
// Run on its own: npm run peer   (server.mjs also starts it)
import { readFile, writeFile } from "node:fs/promises";
import { Identity, Peer } from "superpeer";

/** The topic the page and this peer share. */
export const ROOM = "app-room";

/**
 * Connects this app's Node peer and has it answer the room.
 *
 * @param {string} url The network's URL.
 * @returns {Promise<Peer>} The connected peer.
 */
export async function startPeer(url) {
  const file = new URL("./.identity.json", import.meta.url);
  const identity = await readFile(file, "utf8").then(
    (text) => Identity.fromJSON(text),
    async () => {
      const made = await Identity.generate();
      await writeFile(file, JSON.stringify(made), { mode: 0o600 });
      return made;
    },
  );
  const peer = new Peer({ url, identity });
  peer.on("topic", (m) => {
    if (m.from === peer.peerId || typeof m.data !== "string") return;
    console.log(`room: ${m.from.slice(0, 8)}: ${m.data}`);
    peer.publish(ROOM, `node peer heard "${m.data}" from ${m.from.slice(0, 8)}`);
  });
  peer.on("message", (m) => {
    console.log(`direct from ${m.from.slice(0, 8)}: ${m.data}`);
    peer.send(m.from, `node peer got your direct message: ${m.data}`);
  });
  await peer.connect();
  await peer.subscribe(ROOM);
  await peer.publish(ROOM, "node peer here: say something");
  console.log(`node peer ${peer.peerId} in "${ROOM}" on ${url}`);
  return peer;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const peer = await startPeer(process.env.SUPERPEER_URL || "ws://127.0.0.1:8787");
  process.on("SIGINT", () => {
    peer.close();
    process.exit(0);
  });
}
