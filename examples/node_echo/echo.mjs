// An echo bot in Node, using the superpeer npm package: it joins the "lobby" topic, says hello
// there, and answers every direct message with the same text. Its identity is kept in
// echo-identity.json beside it, so it keeps its peer id across runs.
//
// Run: deno task example:node   (against `deno task dev`; SUPERPEER_URL picks another network)
import { readFile, writeFile } from "node:fs/promises";
import { Identity, Peer } from "superpeer";

const url = process.env.SUPERPEER_URL || "ws://127.0.0.1:8787";
const file = new URL("./echo-identity.json", import.meta.url);
const identity = await readFile(file, "utf8").then(
  (text) => Identity.fromJSON(text),
  async () => {
    const made = await Identity.generate();
    await writeFile(file, JSON.stringify(made), { mode: 0o600 });
    return made;
  },
);

const peer = new Peer({ url, identity });
peer.addEventListener("topic", (e) => console.log(`lobby: ${e.detail.from}: ${e.detail.data}`));
const welcome = await peer.connect();
console.log(`echo bot ${peer.peerId} on ${url} (shard ${welcome.shard}); Ctrl-C to stop`);
await peer.subscribe("lobby");
await peer.publish("lobby", `echo bot here: send me a message at ${peer.peerId}`);
process.on("SIGINT", () => {
  peer.close();
  process.exit(0);
});
for await (const m of peer.messages()) {
  const text = typeof m.data === "string" ? m.data : `${m.data.length} bytes`;
  console.log(`from ${m.from}: ${text}`);
  peer.send(m.from, `echo: ${text}`);
}
