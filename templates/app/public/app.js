// The page's peer. It loads the client from the network itself (/v1/client.js: one module, no
// build step), keeps its identity in sessionStorage (a reload keeps its peer id, and each tab
// is a peer of its own: one identity in two tabs would push one off the network), joins the
// room and shows what is said there.
const config = await (await fetch("/config.json")).json();
const { Identity, Peer } = await import(
  new URL("/v1/client.js", config.url.replace(/^ws/, "http")).href
);

const $ = (id) => document.getElementById(id);
const saved = sessionStorage.getItem("superpeer-identity");
const identity = saved ? await Identity.fromJSON(saved) : await Identity.generate();
sessionStorage.setItem("superpeer-identity", JSON.stringify(identity));

const peer = new Peer({ url: config.url, identity });
const said = (who, text) => {
  const li = document.createElement("li");
  li.textContent = `${who}: ${text}`;
  $("room").append(li);
};
peer.on("topic", (m) => {
  const who = m.from === peer.peerId
    ? "you"
    : m.from === config.nodePeer
    ? "node peer"
    : m.from.slice(0, 8);
  said(who, typeof m.data === "string" ? m.data : `${m.data.length} bytes`);
});
peer.on("close", (e) => $("status").textContent = `closed: ${e.error?.message ?? e.reason}`);
// "connected" first once the room is joined: a message typed before would miss the room's
// answers. (After a reconnect the peer joins it again by itself.)
let joined = false;
peer.on("open", () => joined && ($("status").textContent = "connected"));

$("me").textContent = peer.peerId;
$("node-peer").textContent = config.nodePeer;
await peer.connect();
await peer.subscribe(config.room);
joined = true;
$("status").textContent = "connected";
$("say").addEventListener("submit", (e) => {
  e.preventDefault();
  peer.publish(config.room, $("text").value);
  $("text").value = "";
});
